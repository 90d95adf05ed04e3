variable "name" {
  type        = string
  description = "Name prefix `<project>-<environment>`; the table is `<name>-main`."

  validation {
    condition     = can(regex("^[a-z0-9-]+$", var.name))
    error_message = "name must be lowercase letters, digits and dashes."
  }
}

variable "kms_key_arn" {
  type        = string
  description = "Customer-managed KMS key (primary region) that encrypts the table."
}

variable "deletion_protection" {
  type        = bool
  description = "Deletion protection of the table in this region (on in prod, off so dev and PR environments destroy). The replica has its own switch (modules/replica)."
}
