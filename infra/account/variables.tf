variable "region" {
  type        = string
  description = "Region whose API Gateway account settings this state owns (apply once per Region an environment uses: its primary_region and secondary_region)."

  validation {
    condition     = can(regex("^[a-z]{2}(-gov)?-[a-z]+-[0-9]$", var.region))
    error_message = "region must be an AWS region name such as us-east-1."
  }
}

variable "project" {
  type        = string
  description = "Project name, the first part of every environment's resource names: the role may write only to API Gateway's execution log groups and the `/<project>-*` log groups of this Region."
  default     = "meridian"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,10}[a-z0-9]$", var.project))
    error_message = "project must be 3-12 lowercase letters, digits or dashes, starting with a letter and not ending with a dash."
  }
}

variable "tags" {
  type        = map(string)
  description = "Extra tags for the role (project, managed-by and scope are always set)."
  default     = {}
}
