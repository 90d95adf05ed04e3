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

variable "extra_widgets" {
  type        = list(string)
  description = "Further dashboard widgets, each one CloudWatch dashboard widget object as JSON, appended after the built-in ones (e.g. modules/transaction_events' dashboard_widgets). JSON because widgets differ in shape and a Terraform list needs one element type."
  default     = []

  validation {
    condition     = alltrue([for widget in var.extra_widgets : can(jsondecode(widget).type)])
    error_message = "every extra widget must be a JSON object with a type."
  }
}
