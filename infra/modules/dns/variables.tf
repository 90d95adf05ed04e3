variable "name" {
  type        = string
  description = "Name prefix `<project>-<environment>` (zone comment)."
}

variable "domain_name" {
  type        = string
  description = "Public host name of the API; it must be in the zone hosted_zone_id."

  validation {
    condition     = can(regex("^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,63}$", var.domain_name))
    error_message = "domain_name must be a lowercase DNS name."
  }
}

variable "hosted_zone_id" {
  type        = string
  description = "Existing Route 53 public hosted zone holding domain_name (the stack never creates or deletes a zone)."
  nullable    = false
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
