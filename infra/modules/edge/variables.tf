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

variable "origin_domains" {
  type        = map(string)
  description = "Host name of each region's execute-api endpoint, keyed by region (one CloudFront origin each)."

  validation {
    condition     = length(var.origin_domains) >= 1 && alltrue([for domain in values(var.origin_domains) : can(regex("^[a-z0-9.-]+$", domain))])
    error_message = "origin_domains needs at least one region, each a bare host name (no scheme or path)."
  }
}

variable "active_region" {
  type        = string
  description = "Region whose origin takes every request (all methods): the write model is \"write to one Region\". Failover = set the other region and apply."

  validation {
    condition     = contains(keys(var.origin_domains), var.active_region)
    error_message = "active_region must be one of the regions in origin_domains."
  }
}

variable "domain_name" {
  type        = string
  description = "Public host name served by CloudFront (alias A/AAAA records, ACM certificate); null uses the cloudfront.net name."
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
  description = "Value of that header CloudFront sends: the current origin-verify value (the regional WAFs accept it and the previous one)."
  sensitive   = true
}

variable "waf_rate_limit" {
  type        = number
  description = "Requests per IP per evaluation window above which the IP is blocked."

  validation {
    condition     = var.waf_rate_limit >= 100
    error_message = "waf_rate_limit must be at least 100."
  }
}

variable "waf_rate_limit_window" {
  type        = number
  description = "Evaluation window of the per-IP rate limit in seconds: 60, 120, 300 or 600, the values AWS WAF accepts."
  default     = 300

  validation {
    condition     = contains([60, 120, 300, 600], var.waf_rate_limit_window)
    error_message = "waf_rate_limit_window must be 60, 120, 300 or 600."
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
