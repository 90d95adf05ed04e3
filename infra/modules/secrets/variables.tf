variable "name" {
  type        = string
  description = "Name prefix `<project>-<environment>`; the secrets are `<name>/partner-keys/<partner>/<key id>`."

  validation {
    condition     = can(regex("^[a-z0-9-]+$", var.name))
    error_message = "name must be lowercase letters, digits and dashes."
  }
}

variable "kms_key_arn" {
  type        = string
  description = "KMS key (primary region) that encrypts the secret."
}

variable "replica_region" {
  type        = string
  description = "Region the secret is replicated to."
}

variable "replica_kms_key_arn" {
  type        = string
  description = "KMS key in replica_region that encrypts the replica."
}

variable "recovery_window_days" {
  type        = number
  description = "0 deletes at once (dev); 7-30 keeps a deleted secret recoverable."

  validation {
    condition     = var.recovery_window_days == 0 || (var.recovery_window_days >= 7 && var.recovery_window_days <= 30)
    error_message = "recovery_window_days must be 0 or between 7 and 30."
  }
}

variable "partner_keys" {
  type = map(object({
    partner = string
    key_id  = string
  }))
  description = "One entry per partner signing key, keyed `<partner>/<key id>`; each gets its own secret. Empty creates none."
  default     = {}

  validation {
    condition = alltrue([
      for key, entry in var.partner_keys :
      key == "${entry.partner}/${entry.key_id}" && can(regex("^[a-z0-9][a-z0-9-]{0,31}$", entry.partner)) && can(regex("^[a-z0-9][a-z0-9-]{0,31}$", entry.key_id))
    ])
    error_message = "partner_keys must be keyed <partner>/<key id>, both matching ^[a-z0-9][a-z0-9-]{0,31}$."
  }
}
