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
