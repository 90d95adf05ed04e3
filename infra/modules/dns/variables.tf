variable "name" {
  type        = string
  description = "Name prefix `<project>-<environment>` (zone comment)."
}

variable "domain_name" {
  type        = string
  description = "Public host name of the API; the zone created when hosted_zone_id is null has this name."

  validation {
    condition     = can(regex("^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,63}$", var.domain_name))
    error_message = "domain_name must be a lowercase DNS name."
  }
}

variable "hosted_zone_id" {
  type        = string
  description = "Existing public zone holding domain_name; null creates a zone named domain_name."
  default     = null
}

variable "health_check_targets" {
  type        = map(string)
  description = "Region => that region's execute-api host name; each gets a Route 53 health check on health_check_path."
  default     = {}

  validation {
    condition     = alltrue([for domain in values(var.health_check_targets) : can(regex("^[a-z0-9.-]+$", domain))])
    error_message = "health_check_targets values must be bare host names (no scheme or path)."
  }
}

variable "health_check_path" {
  type        = string
  description = "Path the health checks request, e.g. /v1/health."
  default     = "/v1/health"

  validation {
    condition     = startswith(var.health_check_path, "/")
    error_message = "health_check_path must start with /."
  }
}
