variable "name" {
  type        = string
  description = "Name prefix `<project>-<environment>`; the dashboard is `<name>`."

  validation {
    condition     = can(regex("^[a-z0-9-]+$", var.name))
    error_message = "name must be lowercase letters, digits and dashes."
  }
}

variable "regions" {
  type = map(object({
    api_name       = string
    stage_name     = string
    function_names = map(string)
    web_acl_name   = string
  }))
  description = "Per region (key: region name): the REST API name, stage, function names and regional web ACL."

  validation {
    condition     = length(var.regions) >= 1
    error_message = "regions must hold at least one region."
  }
}

variable "table_name" {
  type        = string
  description = "Name of the global table."
}

variable "distribution_id" {
  type        = string
  description = "CloudFront distribution id."
}

variable "edge_web_acl_name" {
  type        = string
  description = "Name of the CloudFront WAF web ACL."
}
