variable "name" {
  type        = string
  description = "Name prefix `<project>-<environment>`."

  validation {
    condition     = can(regex("^[a-z0-9-]+$", var.name))
    error_message = "name must be lowercase letters, digits and dashes."
  }
}

variable "deletion_protection" {
  type        = bool
  description = "Deletion protection of the user pool."
}

variable "mfa_configuration" {
  type        = string
  description = "OFF, OPTIONAL or ON (software TOTP)."

  validation {
    condition     = contains(["OFF", "OPTIONAL", "ON"], var.mfa_configuration)
    error_message = "mfa_configuration must be OFF, OPTIONAL or ON."
  }
}

variable "password_auth_enabled" {
  type        = bool
  description = "Add ALLOW_USER_PASSWORD_AUTH to the app client's auth flows (SRP and refresh are always allowed)."
}

variable "domain_prefix" {
  type        = string
  description = "Hosted-UI domain prefix; null creates no domain."
  default     = null
}

variable "access_token_validity_minutes" {
  type        = number
  description = "Access token lifetime in minutes."
}

variable "id_token_validity_minutes" {
  type        = number
  description = "ID token lifetime in minutes."
}

variable "refresh_token_validity_days" {
  type        = number
  description = "Refresh token lifetime in days."
}
