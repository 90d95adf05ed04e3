variable "name" {
  type        = string
  description = "Name prefix `<project>-<environment>` carried by every resource name."
}

variable "origin_domain_name" {
  type        = string
  description = "Latency-routed origin host name shared by the regions, e.g. origin.api.example.com."

  validation {
    condition     = can(regex("^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,63}$", var.origin_domain_name))
    error_message = "origin_domain_name must be a lowercase DNS name."
  }
}

variable "zone_id" {
  type        = string
  description = "Route 53 zone of origin_domain_name."
}

variable "rest_api_id" {
  type        = string
  description = "This region's REST API."
}

variable "stage_name" {
  type        = string
  description = "Stage mapped under the base path of the same name (/v1)."
}

variable "execute_api_domain" {
  type        = string
  description = "This region's execute-api host name: the health check's target (it must test this region, not the latency record)."
}
