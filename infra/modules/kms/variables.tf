variable "name" {
  type        = string
  description = "Name prefix `<project>-<environment>`; the key alias is `alias/<name>`."

  validation {
    condition     = can(regex("^[a-z0-9-]+$", var.name))
    error_message = "name must be lowercase letters, digits and dashes."
  }
}

variable "deletion_window_days" {
  type        = number
  description = "Waiting period before a scheduled key deletion completes (7-30 days)."
  default     = 7

  validation {
    condition     = var.deletion_window_days >= 7 && var.deletion_window_days <= 30
    error_message = "deletion_window_days must be between 7 and 30."
  }
}

variable "replica" {
  type        = bool
  description = "false creates the primary multi-region key; true creates a replica of replicate_key_arn in this provider's region."
  default     = false
}

variable "replicate_key_arn" {
  type        = string
  description = "ARN of the primary multi-region key (required when replica is true)."
  default     = null

  validation {
    condition     = !var.replica || var.replicate_key_arn != null
    error_message = "replicate_key_arn is required when replica is true."
  }
}
