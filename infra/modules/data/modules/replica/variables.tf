variable "global_table_arn" {
  type        = string
  description = "ARN of the table in the primary region (the data module's table_arn)."

  validation {
    condition     = can(regex("^arn:[a-z-]+:dynamodb:[a-z0-9-]+:[0-9]{12}:table/.+$", var.global_table_arn))
    error_message = "global_table_arn must be a DynamoDB table ARN."
  }
}

variable "kms_key_arn" {
  type        = string
  description = "Customer-managed KMS key in this provider's region that encrypts the replica."
}

variable "deletion_protection" {
  type        = bool
  description = "Deletion protection of this replica (AWS protects each replica separately; on in prod)."
}
