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
  description = "Hosted-UI domain prefix; null creates no domain. Requires callback_urls."
  default     = null
}

variable "callback_urls" {
  type        = list(string)
  description = "URLs the hosted UI may return the user to after sign-in (HTTPS, http://localhost, or an app scheme such as myapp://callback); required with domain_prefix."
  default     = []

  validation {
    condition = alltrue([for url in concat(var.callback_urls, var.logout_urls) : !strcontains(url, "#") && (
      can(regex("^https://[^/]+", url)) ||
      can(regex("^http://localhost(:[0-9]+)?(/.*)?$", url)) ||
      (can(regex("^[a-z][a-z0-9+.-]*://.+", url)) && !startswith(url, "http://"))
    )])
    error_message = "callback_urls and logout_urls must be HTTPS URLs, http://localhost URLs or app URLs such as myapp://callback, without a #fragment (Cognito refuses other http:// URLs)."
  }

  # Both or neither: a domain without callback URLs can never return a signed-in user to the app,
  # callback URLs without a domain would be silently unused.
  validation {
    condition     = (var.domain_prefix == null) == (length(var.callback_urls) == 0)
    error_message = "Set domain_prefix and callback_urls together: a hosted UI needs at least one callback URL, and callback URLs need the hosted-UI domain."
  }
}

variable "logout_urls" {
  type        = list(string)
  description = "URLs the hosted UI may return the user to after sign-out (same rules as callback_urls)."
  default     = []
}

variable "email" {
  type = object({
    source_arn        = string
    from_address      = string
    configuration_set = optional(string)
    reply_to_address  = optional(string)
  })
  description = "Send the pool's e-mail through SES (verified identity ARN, From address, optional configuration set and Reply-To); null uses Cognito's default sender and its small daily quota."
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
