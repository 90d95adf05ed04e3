variable "name" {
  type        = string
  description = "Name prefix `<project>-<environment>` carried by every resource name."

  validation {
    condition     = can(regex("^[a-z0-9-]+$", var.name))
    error_message = "name must be lowercase letters, digits and dashes."
  }
}

variable "environment" {
  type        = string
  description = "Environment name (descriptions only)."
}

variable "primary_origin_domain" {
  type        = string
  description = "Host name of the primary region's execute-api endpoint."
}

variable "secondary_origin_domain" {
  type        = string
  description = "Host name of the secondary region's execute-api endpoint (failover origin when there is no custom domain)."
}

variable "domain_name" {
  type        = string
  description = "Public host name served by CloudFront; null uses the cloudfront.net name and origin failover."
  default     = null
}

variable "zone_id" {
  type        = string
  description = "Route 53 zone for the certificate's DNS validation (required with domain_name)."
  default     = null

  validation {
    condition     = var.domain_name == null || var.zone_id != null
    error_message = "zone_id is required when domain_name is set."
  }
}

variable "latency_origin_domain" {
  type        = string
  description = "Latency-routed, health-checked origin host name (`origin.<domain_name>`), used with domain_name."
  default     = null
}

variable "stage_path" {
  type        = string
  description = "Path prefix of the API stage, e.g. /v1."
  default     = "/v1"

  validation {
    condition     = can(regex("^/[a-z0-9]+$", var.stage_path))
    error_message = "stage_path must look like /v1."
  }
}

variable "origin_verify_header_name" {
  type        = string
  description = "Header CloudFront adds to every origin request."
}

variable "origin_verify_header_value" {
  type        = string
  description = "Value of that header (the regional WAFs require it)."
  sensitive   = true
}

variable "waf_rate_limit" {
  type        = number
  description = "Requests per IP per 5 minutes above which the IP is blocked."

  validation {
    condition     = var.waf_rate_limit >= 100
    error_message = "waf_rate_limit must be at least 100."
  }
}

variable "price_class" {
  type        = string
  description = "CloudFront price class."
}

variable "wait_for_deployment" {
  type        = bool
  description = "Wait until the distribution is deployed to every edge location before the apply finishes."
  default     = true
}

variable "log_retention_days" {
  type        = number
  description = "Retention of the WAF log group (at least 90 days)."

  validation {
    condition     = var.log_retention_days >= 90
    error_message = "log_retention_days must be at least 90."
  }
}

variable "kms_key_arn" {
  type        = string
  description = "KMS key in us-east-1 for the WAF log group and the edge alarm topic."
}

variable "alarm_emails" {
  type        = set(string)
  description = "E-mail subscriptions of the edge alarm topic."
  default     = []
}

variable "health_check_ids" {
  type        = map(string)
  description = "Route 53 health check id per region; each gets a HealthCheckStatus alarm (their metrics only exist in us-east-1)."
  default     = {}
}
