variable "secret_id" {
  type        = string
  description = "ARN of the secret that receives the generated value."
}

variable "value_version" {
  type        = number
  description = "Bump to generate and write a new value (rotation)."

  validation {
    condition     = var.value_version >= 1 && floor(var.value_version) == var.value_version
    error_message = "value_version must be a whole number >= 1."
  }
}
