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
  description = "Environment name passed to the functions as ENVIRONMENT."
}

variable "project" {
  type        = string
  description = "Project name (partner token issuer and audience are `<project>-partners-<environment>` and `<project>-api-<environment>`)."
}

variable "openapi_template_path" {
  type        = string
  description = "Path of the OpenAPI template (infra/api/openapi.yaml)."
}

variable "schema_dir" {
  type        = string
  description = "Directory of the JSON schemas embedded as API models (src/meridian/schemas)."
}

variable "lambda_package_dir" {
  type        = string
  description = "Directory holding `<function>.zip` for profiles, transactions, authorizer and health."
}

variable "lambda_runtime" {
  type        = string
  description = "Python runtime of the functions."

  validation {
    condition     = contains(["python3.10", "python3.11", "python3.12", "python3.13"], var.lambda_runtime)
    error_message = "lambda_runtime must be one of python3.10, python3.11, python3.12, python3.13."
  }
}

variable "lambda_memory_mb" {
  type        = number
  description = "Memory of every function in MB."
}

variable "lambda_timeout_seconds" {
  type        = number
  description = "Timeout of every function in seconds (at most 29, the integration timeout)."

  validation {
    condition     = var.lambda_timeout_seconds >= 1 && var.lambda_timeout_seconds <= 29
    error_message = "lambda_timeout_seconds must be between 1 and 29."
  }
}

variable "lambda_reserved_concurrency" {
  type        = map(number)
  description = "Reserved concurrency per function name; functions not listed are unreserved."
  default     = {}
}

# The transaction events publisher (issue 14) runs in this module, beside the API functions: one
# place for every function of the region (packaging, role, log group, tracing, metrics namespace).
# modules/transaction_events owns what it reads and writes (the stream mapping, topic and queues).
variable "transaction_events_publisher" {
  type = object({
    topic_arn            = string
    failure_queue_arn    = string
    memory_mb            = number
    timeout_seconds      = number
    reserved_concurrency = number
  })
  description = "The region's transaction events publisher (function key transaction_events): its topic, the on-failure queue it also uses as the dead-letter queue of asynchronous replays, memory, timeout (one stream batch, up to 900 s) and reserved concurrency (at least the stream's shard count). null: no publisher."
  default     = null

  validation {
    condition = var.transaction_events_publisher == null ? true : (
      var.transaction_events_publisher.memory_mb >= 128 && var.transaction_events_publisher.memory_mb <= 10240 &&
      var.transaction_events_publisher.timeout_seconds >= 3 && var.transaction_events_publisher.timeout_seconds <= 900 &&
      var.transaction_events_publisher.reserved_concurrency >= 1 && floor(var.transaction_events_publisher.reserved_concurrency) == var.transaction_events_publisher.reserved_concurrency
    )
    error_message = "transaction_events_publisher: memory_mb 128-10240, timeout_seconds 3-900, reserved_concurrency a whole number >= 1."
  }
}

# Cold-start opt-ins (issue 15). Both off by default: the functions stay unpublished ($LATEST) and
# API Gateway invokes the unqualified ARN, exactly as before. A function named in either one is
# published (publish = true) and gets the alias `live`, which API Gateway invokes instead.
variable "lambda_snap_start_functions" {
  type        = set(string)
  description = "Functions (profiles, transactions, authorizer, health) with Lambda SnapStart on published versions. Needs a python3.12+ runtime and excludes provisioned concurrency for the same function."
  default     = []

  validation {
    condition     = alltrue([for name in var.lambda_snap_start_functions : contains(["profiles", "transactions", "authorizer", "health"], name)])
    error_message = "lambda_snap_start_functions may only name profiles, transactions, authorizer or health."
  }

  # SnapStart exists for Python 3.12 and later managed runtimes only:
  # https://docs.aws.amazon.com/lambda/latest/dg/snapstart.html (Supported features and limitations).
  validation {
    condition     = length(var.lambda_snap_start_functions) == 0 || contains(["python3.12", "python3.13"], var.lambda_runtime)
    error_message = "Lambda SnapStart needs a python3.12 or later runtime (lambda_runtime)."
  }

  # "SnapStart does not support provisioned concurrency" (same page): one or the other per function.
  validation {
    condition     = length(setintersection(var.lambda_snap_start_functions, [for name, count in var.lambda_provisioned_concurrency : name if count > 0])) == 0
    error_message = "A function cannot have both SnapStart and provisioned concurrency (AWS refuses the combination)."
  }
}

variable "lambda_provisioned_concurrency" {
  type        = map(number)
  description = "Provisioned concurrency per function (profiles, transactions, authorizer, health), configured on the alias `live`; 0 or absent means none."
  default     = {}

  validation {
    condition     = alltrue([for name, count in var.lambda_provisioned_concurrency : contains(["profiles", "transactions", "authorizer", "health"], name) && count >= 0 && floor(count) == count])
    error_message = "lambda_provisioned_concurrency keys must be profiles, transactions, authorizer or health and values whole numbers >= 0."
  }
}

variable "log_level" {
  type        = string
  description = "LOG_LEVEL of the functions."
}

variable "log_retention_days" {
  type        = number
  description = "Retention of every log group of the region (at least 90 days)."

  validation {
    condition     = var.log_retention_days >= 90
    error_message = "log_retention_days must be at least 90."
  }
}

variable "kms_key_arn" {
  type        = string
  description = "This region's KMS key (logs, topic, function environment, table replica)."
}

variable "table_name" {
  type        = string
  description = "Name of the global table."
}

variable "partner_key_secret_prefix" {
  type        = string
  description = "Name prefix of the partner signing-key secrets (`<project>-<env>/partner-keys/`); the authorizer reads `<prefix><partner>/<key id>` in its own region."

  validation {
    condition     = endswith(var.partner_key_secret_prefix, "/partner-keys/")
    error_message = "partner_key_secret_prefix must end with /partner-keys/."
  }
}

variable "user_pool_arn" {
  type        = string
  description = "Cognito user pool behind the COGNITO_USER_POOLS authorizer."
}

variable "user_pool_id" {
  type        = string
  description = "Cognito user pool id (authorizer COGNITO_USER_POOL_ID)."
}

variable "app_client_ids" {
  type        = list(string)
  description = "App client ids accepted by the Lambda authorizer (COGNITO_APP_CLIENT_IDS)."
}

variable "session_ttl_seconds" {
  type        = number
  description = "SESSION_TTL_SECONDS of the profiles function."
}

variable "max_transaction_amounts" {
  type        = map(string)
  description = "MAX_TRANSACTION_AMOUNTS of the transactions function: ISO 4217 code => largest accepted amount (decimal string), overriding the function's built-in defaults."

  validation {
    condition     = alltrue([for currency in keys(var.max_transaction_amounts) : can(regex("^[A-Z]{3}$", currency))])
    error_message = "max_transaction_amounts keys must be ISO 4217 currency codes (three capital letters)."
  }
}

variable "partner_key_cache_seconds" {
  type        = number
  description = "PARTNER_KEY_CACHE_SECONDS of the authorizer: how long a partner signing key is cached."
}

variable "partner_token_max_lifetime_seconds" {
  type        = number
  description = "PARTNER_TOKEN_MAX_LIFETIME_SECONDS of the authorizer: the longest exp - iat of a partner token."
}

variable "throttling_rate_limit" {
  type        = number
  description = "Method throttling: steady-state requests per second."

  validation {
    condition     = var.throttling_rate_limit > 0
    error_message = "throttling_rate_limit must be greater than 0."
  }
}

variable "throttling_burst_limit" {
  type        = number
  description = "Method throttling: burst."

  validation {
    condition     = var.throttling_burst_limit > 0
    error_message = "throttling_burst_limit must be greater than 0."
  }
}

variable "authorizer_result_ttl_seconds" {
  type        = number
  description = "Cache time of Lambda authorizer decisions."
}

variable "cors_allow_origin" {
  type        = string
  description = "Access-Control-Allow-Origin of CORS preflights and gateway responses."
}

variable "write_region" {
  type        = string
  description = "WRITE_REGION of every function: the region whose functions accept mutating requests, or \"none\" while writes are paused (the write fence; other regions answer 503 REGION_NOT_WRITABLE)."

  validation {
    condition     = var.write_region == "none" || can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]$", var.write_region))
    error_message = "write_region must be a region name or \"none\"."
  }
}

variable "origin_verify_header_name" {
  type        = string
  description = "Name of the header CloudFront adds to every origin request."
}

variable "origin_verify_header_values" {
  type        = list(string)
  description = "Accepted values of that header: the current one and, during a rotation, the previous one. The regional WAF blocks requests that carry none of them."
  sensitive   = true

  validation {
    condition     = length(var.origin_verify_header_values) >= 1 && length(var.origin_verify_header_values) <= 2
    error_message = "origin_verify_header_values takes the current value and at most one previous value."
  }
}

variable "partners" {
  type = map(object({
    quota_per_day = number
  }))
  description = "Partners keyed by name: each gets a usage plan with its daily quota and the usage key `<name>-usage-partner-<partner>`."
  default     = {}

  validation {
    condition     = alltrue([for name, partner in var.partners : can(regex("^[a-z0-9][a-z0-9-]{0,31}$", name)) && partner.quota_per_day >= 1])
    error_message = "partner names must match ^[a-z0-9][a-z0-9-]{0,31}$ and quotas be >= 1."
  }
}

variable "alarm_emails" {
  type        = set(string)
  description = "E-mail subscriptions of this region's alarm topic."
  default     = []
}

variable "alarm_api_5xx_rate_percent" {
  type        = number
  description = "5XX error rate (percent) that raises the API alarm."
}

variable "alarm_api_p99_latency_ms" {
  type        = number
  description = "p99 latency (ms) that raises the API latency alarm."
}

variable "alarm_replication_latency_ms" {
  type        = number
  description = "Average replication latency (ms) into this region that raises an alarm."
}

variable "peer_region" {
  type        = string
  description = "The other region: receiving region of this region's table writes (ReplicationLatency)."
}

variable "xray_sampling_rate" {
  type        = number
  description = "X-Ray fixed sampling rate beyond the reservoir."

  validation {
    condition     = var.xray_sampling_rate >= 0 && var.xray_sampling_rate <= 1
    error_message = "xray_sampling_rate must be between 0 and 1."
  }
}
