# ---------------------------------------------------------------------------------------------
# Naming and regions
# ---------------------------------------------------------------------------------------------
variable "project" {
  type        = string
  description = "Project name; the first half of every resource name (`<project>-<environment>-...`)."
  default     = "meridian"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,10}[a-z0-9]$", var.project))
    error_message = "project must be 3-12 lowercase letters, digits or dashes, starting with a letter and not ending with a dash."
  }
}

variable "environment" {
  type        = string
  description = "Environment name, e.g. `dev`, `prod`, `pr123`; the second half of every resource name."

  validation {
    condition     = can(regex("^[a-z0-9](?:[a-z0-9-]{0,14}[a-z0-9])?$", var.environment))
    error_message = "environment must be 1-16 lowercase letters, digits or dashes, not starting or ending with a dash (e.g. dev, prod, pr123)."
  }
}

variable "primary_region" {
  type        = string
  description = "Primary AWS region: Cognito, the secret's primary copy, the dashboard and the first regional API."
  default     = "us-east-1"

  validation {
    condition     = can(regex("^[a-z]{2}(-gov)?-[a-z]+-[0-9]$", var.primary_region))
    error_message = "primary_region must be an AWS region name such as us-east-1."
  }
}

variable "secondary_region" {
  type        = string
  description = "Secondary AWS region: the second regional API and the table and secret replicas. Must differ from primary_region."
  default     = "us-west-2"

  validation {
    condition     = can(regex("^[a-z]{2}(-gov)?-[a-z]+-[0-9]$", var.secondary_region))
    error_message = "secondary_region must be an AWS region name such as us-west-2."
  }

  validation {
    condition     = var.secondary_region != var.primary_region
    error_message = "secondary_region must differ from primary_region."
  }
}

variable "tags" {
  type        = map(string)
  description = "Extra tags for every resource (project, environment and managed-by are always set)."
  default     = {}
}

# ---------------------------------------------------------------------------------------------
# Lambda
# ---------------------------------------------------------------------------------------------
variable "lambda_package_dir" {
  type        = string
  description = "Directory holding the function zips (`<function>.zip`); null means `<root module>/../build/lambda` (what `make build` writes)."
  default     = null
}

variable "lambda_runtime" {
  type        = string
  description = "Python runtime of every function."
  default     = "python3.13"

  validation {
    condition     = contains(["python3.10", "python3.11", "python3.12", "python3.13"], var.lambda_runtime)
    error_message = "lambda_runtime must be one of python3.10, python3.11, python3.12, python3.13."
  }
}

variable "lambda_memory_mb" {
  type        = number
  description = "Memory of every function in MB (CPU scales with it)."
  default     = 512

  validation {
    condition     = var.lambda_memory_mb >= 128 && var.lambda_memory_mb <= 10240 && floor(var.lambda_memory_mb) == var.lambda_memory_mb
    error_message = "lambda_memory_mb must be a whole number between 128 and 10240."
  }
}

variable "lambda_timeout_seconds" {
  type        = number
  description = "Timeout of every function; at most 29 s, API Gateway's integration timeout."
  default     = 10

  validation {
    condition     = var.lambda_timeout_seconds >= 1 && var.lambda_timeout_seconds <= 29
    error_message = "lambda_timeout_seconds must be between 1 and 29."
  }
}

variable "lambda_reserved_concurrency" {
  type        = map(number)
  description = "Optional reserved concurrency per function (keys: profiles, transactions, authorizer, health). Functions not listed use the unreserved pool."
  default     = {}

  validation {
    condition     = alltrue([for name, value in var.lambda_reserved_concurrency : contains(["profiles", "transactions", "authorizer", "health"], name) && value >= 0 && floor(value) == value])
    error_message = "lambda_reserved_concurrency keys must be function names (profiles, transactions, authorizer, health) and values whole numbers >= 0."
  }
}

variable "log_level" {
  type        = string
  description = "LOG_LEVEL of every function."
  default     = "INFO"

  validation {
    condition     = contains(["DEBUG", "INFO", "WARNING", "ERROR"], var.log_level)
    error_message = "log_level must be DEBUG, INFO, WARNING or ERROR."
  }
}

variable "log_retention_days" {
  type        = number
  description = "Retention of every CloudWatch log group, in days (at least 90)."
  default     = 90

  validation {
    condition     = contains([90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a CloudWatch retention value of at least 90 (90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653)."
  }
}

variable "session_ttl_seconds" {
  type        = number
  description = "SESSION_TTL_SECONDS: lifetime of a device session."
  default     = 2592000

  validation {
    condition     = var.session_ttl_seconds >= 60 && var.session_ttl_seconds <= 31536000
    error_message = "session_ttl_seconds must be between 60 and 31536000 (one year)."
  }
}

variable "max_transaction_amount" {
  type        = string
  description = "MAX_TRANSACTION_AMOUNT: largest accepted transaction amount, a decimal string."
  default     = "1000000"

  validation {
    condition     = can(regex("^(0|[1-9][0-9]{0,17})(\\.[0-9]{1,4})?$", var.max_transaction_amount))
    error_message = "max_transaction_amount must be a positive decimal string such as 1000000 or 2500.50."
  }
}

variable "idempotency_ttl_seconds" {
  type        = number
  description = "IDEMPOTENCY_TTL_SECONDS: how long an Idempotency-Key is remembered."
  default     = 86400

  validation {
    condition     = var.idempotency_ttl_seconds >= 60 && var.idempotency_ttl_seconds <= 604800
    error_message = "idempotency_ttl_seconds must be between 60 and 604800 (seven days)."
  }
}

variable "partner_secret_ttl_seconds" {
  type        = number
  description = "PARTNER_SECRET_TTL_SECONDS: how long the authorizer caches the partner signing key."
  default     = 300

  validation {
    condition     = var.partner_secret_ttl_seconds >= 0 && var.partner_secret_ttl_seconds <= 3600
    error_message = "partner_secret_ttl_seconds must be between 0 and 3600."
  }
}

# ---------------------------------------------------------------------------------------------
# API Gateway
# ---------------------------------------------------------------------------------------------
variable "api_throttling_rate_limit" {
  type        = number
  description = "Steady-state request rate limit of every API method, requests per second per region."
  default     = 5000

  validation {
    condition     = var.api_throttling_rate_limit > 0 && var.api_throttling_rate_limit <= 100000
    error_message = "api_throttling_rate_limit must be greater than 0 and at most 100000."
  }
}

variable "api_throttling_burst_limit" {
  type        = number
  description = "Burst limit of every API method, requests per region."
  default     = 10000

  validation {
    condition     = var.api_throttling_burst_limit > 0 && var.api_throttling_burst_limit <= 100000 && floor(var.api_throttling_burst_limit) == var.api_throttling_burst_limit
    error_message = "api_throttling_burst_limit must be a whole number between 1 and 100000."
  }

  validation {
    condition     = var.api_throttling_burst_limit >= var.api_throttling_rate_limit
    error_message = "api_throttling_burst_limit must be at least api_throttling_rate_limit."
  }
}

variable "authorizer_result_ttl_seconds" {
  type        = number
  description = "How long API Gateway caches a Lambda authorizer decision per token."
  default     = 300

  validation {
    condition     = var.authorizer_result_ttl_seconds >= 0 && var.authorizer_result_ttl_seconds <= 3600
    error_message = "authorizer_result_ttl_seconds must be between 0 and 3600."
  }
}

variable "cors_allow_origin" {
  type        = string
  description = "Access-Control-Allow-Origin returned on CORS preflights: `*` or one origin such as https://app.example.com (tokens travel in the Authorization header, never cookies)."
  default     = "*"

  validation {
    condition     = var.cors_allow_origin == "*" || can(regex("^https?://[a-z0-9.-]+(:[0-9]+)?$", var.cors_allow_origin))
    error_message = "cors_allow_origin must be * or an origin such as https://app.example.com."
  }
}

variable "partner_names" {
  type        = set(string)
  description = "Partners that get an API key each (in every region) on a usage plan with partner_quota_per_day; empty creates none."
  default     = []

  validation {
    condition     = alltrue([for name in var.partner_names : can(regex("^[a-z0-9][a-z0-9-]{0,30}$", name))])
    error_message = "partner_names must be lowercase letters, digits or dashes (at most 31 characters)."
  }
}

variable "partner_quota_per_day" {
  type        = number
  description = "Requests per day each partner API key may make (usage plan quota)."
  default     = 100000

  validation {
    condition     = var.partner_quota_per_day >= 1
    error_message = "partner_quota_per_day must be at least 1."
  }
}

# ---------------------------------------------------------------------------------------------
# Edge
# ---------------------------------------------------------------------------------------------
variable "waf_rate_limit" {
  type        = number
  description = "Requests per IP per 5 minutes above which the CloudFront WAF blocks the IP."
  default     = 10000

  validation {
    condition     = var.waf_rate_limit >= 100 && var.waf_rate_limit <= 2000000000 && floor(var.waf_rate_limit) == var.waf_rate_limit
    error_message = "waf_rate_limit must be a whole number between 100 and 2000000000."
  }
}

variable "cloudfront_price_class" {
  type        = string
  description = "CloudFront price class (which edge locations serve the API)."
  default     = "PriceClass_100"

  validation {
    condition     = contains(["PriceClass_100", "PriceClass_200", "PriceClass_All"], var.cloudfront_price_class)
    error_message = "cloudfront_price_class must be PriceClass_100, PriceClass_200 or PriceClass_All."
  }
}

variable "cloudfront_wait_for_deployment" {
  type        = bool
  description = "Whether terraform apply waits until the CloudFront distribution is deployed to every edge location (5-15 minutes on AWS). false finishes sooner; the distribution then keeps deploying on its own."
  default     = true
}

# ---------------------------------------------------------------------------------------------
# DNS
# ---------------------------------------------------------------------------------------------
variable "domain_name" {
  type        = string
  description = "Public host name of the API (CloudFront), e.g. api.example.com. Null disables DNS, certificates and custom domains; CloudFront then fails over between the regions' execute-api origins."
  default     = null

  validation {
    condition     = var.domain_name == null || can(regex("^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,63}$", var.domain_name))
    error_message = "domain_name must be a lowercase DNS name such as api.example.com."
  }
}

variable "hosted_zone_id" {
  type        = string
  description = "Existing Route 53 public hosted zone that holds domain_name. Null creates a new zone named domain_name (delegate it from the parent)."
  default     = null

  validation {
    condition     = var.hosted_zone_id == null || can(regex("^Z[A-Z0-9]{1,31}$", var.hosted_zone_id))
    error_message = "hosted_zone_id must be a Route 53 zone id such as Z0123456789ABCDEFGHIJ."
  }
}

# ---------------------------------------------------------------------------------------------
# Identity
# ---------------------------------------------------------------------------------------------
variable "cognito_password_auth_enabled" {
  type        = bool
  description = "Allow ALLOW_USER_PASSWORD_AUTH on the app client (plain password over TLS: test tooling and the devstack only; keep false in prod, SRP is always on)."
  default     = false
}

variable "cognito_mfa_configuration" {
  type        = string
  description = "User pool MFA: OFF, OPTIONAL (users may enrol a TOTP app) or ON."
  default     = "OPTIONAL"

  validation {
    condition     = contains(["OFF", "OPTIONAL", "ON"], var.cognito_mfa_configuration)
    error_message = "cognito_mfa_configuration must be OFF, OPTIONAL or ON."
  }
}

variable "cognito_domain_prefix" {
  type        = string
  description = "Prefix of the Cognito hosted-UI domain (`<prefix>.auth.<region>.amazoncognito.com`); null creates no hosted UI. Requires cognito_callback_urls."
  default     = null

  validation {
    condition     = var.cognito_domain_prefix == null || can(regex("^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$", var.cognito_domain_prefix))
    error_message = "cognito_domain_prefix must be lowercase letters, digits or dashes (1-63 characters)."
  }

  # A hosted UI whose app client has no callback URL and no OAuth flow shows a sign-in page that can
  # never return a signed-in user to the app (CreateUserPoolClient: CallbackURLs, AllowedOAuthFlows,
  # https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_CreateUserPoolClient.html).
  validation {
    condition     = var.cognito_domain_prefix == null || length(var.cognito_callback_urls) > 0
    error_message = "cognito_domain_prefix needs cognito_callback_urls (where the hosted UI returns the user after sign-in): set both or neither."
  }
}

variable "cognito_callback_urls" {
  type        = list(string)
  description = "Hosted UI: URLs Cognito may redirect to after sign-in (authorization code flow with PKCE). HTTPS, http://localhost or an app scheme (myapp://...). Only with cognito_domain_prefix."
  default     = []

  # "Amazon Cognito requires HTTPS over HTTP except for http://localhost for testing purposes only.
  # App callback URLs such as myapp://example are also supported." No fragment.
  # https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_CreateUserPoolClient.html
  validation {
    condition = alltrue([for url in var.cognito_callback_urls : !strcontains(url, "#") && (
      can(regex("^https://[^/]+", url)) ||
      can(regex("^http://localhost(:[0-9]+)?(/.*)?$", url)) ||
      (can(regex("^[a-z][a-z0-9+.-]*://.+", url)) && !startswith(url, "http://"))
    )])
    error_message = "cognito_callback_urls must be HTTPS URLs, http://localhost URLs or app URLs such as myapp://callback, without a #fragment."
  }
}

variable "cognito_logout_urls" {
  type        = list(string)
  description = "Hosted UI: URLs Cognito may redirect to after sign-out (same rules as cognito_callback_urls)."
  default     = []

  validation {
    condition = alltrue([for url in var.cognito_logout_urls : !strcontains(url, "#") && (
      can(regex("^https://[^/]+", url)) ||
      can(regex("^http://localhost(:[0-9]+)?(/.*)?$", url)) ||
      (can(regex("^[a-z][a-z0-9+.-]*://.+", url)) && !startswith(url, "http://"))
    )])
    error_message = "cognito_logout_urls must be HTTPS URLs, http://localhost URLs or app URLs such as myapp://signed-out, without a #fragment."
  }
}

variable "cognito_email" {
  type = object({
    source_arn        = string
    from_address      = string
    configuration_set = optional(string)
    reply_to_address  = optional(string)
  })
  description = "Send the user pool's e-mail (sign-up codes, password resets) through Amazon SES: `source_arn` = ARN of a verified SES identity, `from_address` (e.g. `Example <no-reply@example.com>`), optional SES `configuration_set` and `reply_to_address`. null uses Cognito's default sender, whose small daily quota suits dev only; required when environment is prod."
  default     = null

  # Cognito's default sender: "For typical production environments, the default email limit is
  # below the required delivery volume" (EmailConfigurationType). The SES identity must be verified,
  # in the pool's Region or a Region Cognito supports for it:
  # https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-email.html
  validation {
    # (Terraform does not short-circuit ||: the conditional keeps a null object from being read.)
    condition = var.cognito_email == null ? true : (
      can(regex("^arn:aws[a-z-]*:ses:[a-z0-9-]+:[0-9]{12}:identity/.+$", var.cognito_email.source_arn)) &&
      can(regex("^([^<>]+<)?[^@<>\\s]+@[^@<>\\s]+\\.[^@<>\\s]+>?$", var.cognito_email.from_address)) &&
      can(regex("^[a-zA-Z0-9_-]{1,64}$", coalesce(var.cognito_email.configuration_set, "none")))
    )
    error_message = "cognito_email needs source_arn = an SES identity ARN (arn:aws:ses:<region>:<account>:identity/<domain or address>), from_address = an address or `Name <address>`, and a configuration_set of 1-64 letters, digits, _ or -."
  }

  validation {
    condition     = var.environment != "prod" || var.cognito_email != null
    error_message = "environment prod needs cognito_email (an SES identity): Cognito's default sender allows only a small number of e-mails a day, far below production sign-up and password-reset volume."
  }
}

variable "cognito_access_token_validity_minutes" {
  type        = number
  description = "Lifetime of access tokens in minutes."
  default     = 60

  validation {
    condition     = var.cognito_access_token_validity_minutes >= 5 && var.cognito_access_token_validity_minutes <= 1440
    error_message = "cognito_access_token_validity_minutes must be between 5 and 1440."
  }
}

variable "cognito_id_token_validity_minutes" {
  type        = number
  description = "Lifetime of ID tokens in minutes."
  default     = 60

  validation {
    condition     = var.cognito_id_token_validity_minutes >= 5 && var.cognito_id_token_validity_minutes <= 1440
    error_message = "cognito_id_token_validity_minutes must be between 5 and 1440."
  }
}

variable "cognito_refresh_token_validity_days" {
  type        = number
  description = "Lifetime of refresh tokens in days."
  default     = 30

  validation {
    condition     = var.cognito_refresh_token_validity_days >= 1 && var.cognito_refresh_token_validity_days <= 3650
    error_message = "cognito_refresh_token_validity_days must be between 1 and 3650."
  }
}

# ---------------------------------------------------------------------------------------------
# Protection and secrets
# ---------------------------------------------------------------------------------------------
variable "deletion_protection" {
  type        = bool
  description = "Deletion protection of the user pool and the table. Off by default so dev and PR environments destroy cleanly; on in prod."
  default     = false
}

variable "secret_recovery_window_days" {
  type        = number
  description = "Days a deleted secret stays recoverable: 0 deletes at once (dev), 7-30 otherwise."
  default     = 0

  validation {
    condition     = var.secret_recovery_window_days == 0 || (var.secret_recovery_window_days >= 7 && var.secret_recovery_window_days <= 30)
    error_message = "secret_recovery_window_days must be 0 or between 7 and 30."
  }
}

variable "kms_deletion_window_days" {
  type        = number
  description = "Days a KMS key of this stack stays pending deletion after a destroy (7-30) before AWS deletes it: until then on-demand table backups and recoverable secrets encrypted with it can still be read. 30 in prod."
  default     = 7

  # "waiting period ... from 7 to 30 days"; once the key is deleted, data encrypted under it is
  # unrecoverable (https://docs.aws.amazon.com/kms/latest/developerguide/deleting-keys.html).
  validation {
    condition     = var.kms_deletion_window_days >= 7 && var.kms_deletion_window_days <= 30 && floor(var.kms_deletion_window_days) == var.kms_deletion_window_days
    error_message = "kms_deletion_window_days must be a whole number between 7 and 30."
  }

  validation {
    condition     = var.environment != "prod" || var.kms_deletion_window_days == 30
    error_message = "environment prod keeps its KMS keys recoverable for the longest window AWS allows: kms_deletion_window_days = 30."
  }
}

variable "partner_secret_version" {
  type        = number
  description = "Version of the partner signing key; increase it to rotate (a new random key is written without entering state)."
  default     = 1

  validation {
    condition     = var.partner_secret_version >= 1 && floor(var.partner_secret_version) == var.partner_secret_version
    error_message = "partner_secret_version must be a whole number >= 1."
  }
}

# ---------------------------------------------------------------------------------------------
# Observability
# ---------------------------------------------------------------------------------------------
variable "alarm_emails" {
  type        = set(string)
  description = "E-mail addresses subscribed to the alarm topics (each must confirm the subscription). At least one when environment is prod."
  default     = []

  validation {
    condition     = alltrue([for email in var.alarm_emails : can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", email))])
    error_message = "alarm_emails must be e-mail addresses."
  }

  # An alarm action only publishes to the SNS topic; without a subscription nobody hears it.
  validation {
    condition     = var.environment != "prod" || length(var.alarm_emails) > 0
    error_message = "environment prod needs at least one alarm_emails address: alarms without a subscriber reach nobody."
  }
}

variable "alarm_api_5xx_rate_percent" {
  type        = number
  description = "API 5XX error rate (percent of requests, per region, over 5 minutes) that raises an alarm."
  default     = 1

  validation {
    condition     = var.alarm_api_5xx_rate_percent > 0 && var.alarm_api_5xx_rate_percent <= 100
    error_message = "alarm_api_5xx_rate_percent must be greater than 0 and at most 100."
  }
}

variable "alarm_api_p99_latency_ms" {
  type        = number
  description = "API p99 latency in milliseconds (per region, over 5 minutes) that raises an alarm."
  default     = 2000

  validation {
    condition     = var.alarm_api_p99_latency_ms > 0
    error_message = "alarm_api_p99_latency_ms must be greater than 0."
  }
}

variable "alarm_replication_latency_ms" {
  type        = number
  description = "DynamoDB global table ReplicationLatency (average, milliseconds) that raises an alarm."
  default     = 60000

  validation {
    condition     = var.alarm_replication_latency_ms > 0
    error_message = "alarm_replication_latency_ms must be greater than 0."
  }
}

variable "xray_sampling_rate" {
  type        = number
  description = "Fraction of requests beyond the first one per second that X-Ray traces."
  default     = 0.05

  validation {
    condition     = var.xray_sampling_rate >= 0 && var.xray_sampling_rate <= 1
    error_message = "xray_sampling_rate must be between 0 and 1."
  }
}
