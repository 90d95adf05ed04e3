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

# Cold-start opt-ins (issue 15, docs/capacity.md "Cold start"): both off by default.
variable "lambda_snap_start_functions" {
  type        = set(string)
  description = "Functions (profiles, transactions, authorizer, health) to run with Lambda SnapStart: published versions behind the alias `live`. Needs lambda_runtime python3.12 or later; not combinable with provisioned concurrency on the same function. AWS-only: the devstack does not model it."
  default     = []

  validation {
    condition     = alltrue([for name in var.lambda_snap_start_functions : contains(["profiles", "transactions", "authorizer", "health"], name)])
    error_message = "lambda_snap_start_functions may only name profiles, transactions, authorizer or health."
  }

  # https://docs.aws.amazon.com/lambda/latest/dg/snapstart.html: Python 3.12 and later.
  validation {
    condition     = length(var.lambda_snap_start_functions) == 0 || contains(["python3.12", "python3.13"], var.lambda_runtime)
    error_message = "Lambda SnapStart needs a python3.12 or later runtime (lambda_runtime)."
  }

  # Same page: "SnapStart does not support provisioned concurrency".
  validation {
    condition     = length(setintersection(var.lambda_snap_start_functions, [for name, count in var.lambda_provisioned_concurrency : name if count > 0])) == 0
    error_message = "A function cannot have both SnapStart and provisioned concurrency (AWS refuses the combination)."
  }
}

variable "lambda_provisioned_concurrency" {
  type        = map(number)
  description = "Provisioned concurrency per function (profiles, transactions, authorizer, health) in EACH region, on the alias `live`; 0 or absent means none. Billed per GB-second while configured (docs/capacity.md). AWS-only: the devstack does not model it."
  default     = {}

  validation {
    condition     = alltrue([for name, count in var.lambda_provisioned_concurrency : contains(["profiles", "transactions", "authorizer", "health"], name) && count >= 0 && floor(count) == count])
    error_message = "lambda_provisioned_concurrency keys must be profiles, transactions, authorizer or health and values whole numbers >= 0."
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

# One maximum for every currency refused 1,000,001 VND (~40 USD) yet accepted 1,000,000 KWD
# (~3.2 M USD): the limit is per currency. The functions hold a default per supported currency
# (each ~1,000,000 USD; a risk limit, not an exchange rate; table in docs/interfaces.md), so this
# map only overrides; a currency it does not name keeps its default.
variable "max_transaction_amounts" {
  type        = map(string)
  description = "MAX_TRANSACTION_AMOUNTS: largest accepted transaction amount per ISO 4217 currency code, a decimal string, e.g. `{ USD = \"50000\" }`. Currencies not named keep the built-in maximum of roughly 1,000,000 USD each (docs/interfaces.md)."
  default     = {}

  validation {
    condition = alltrue([
      for amount in values(var.max_transaction_amounts) :
      can(regex("^(0|[1-9][0-9]{0,17})(\\.[0-9]{1,4})?$", amount)) && !can(regex("^0(\\.0+)?$", amount))
    ])
    error_message = "max_transaction_amounts values must be positive plain decimal strings such as \"1000000\" or \"2500.50\"."
  }

  # The currencies the API accepts and their ISO 4217 minor units: meridian.money.MINOR_UNITS
  # (tests/unit/test_money.py keeps the two identical). An unsupported code or too many decimals
  # would otherwise pass plan and fail every cold start of the transactions function.
  validation {
    condition = alltrue([
      for currency, amount in var.max_transaction_amounts :
      length(try(split(".", amount)[1], "")) <= lookup({ USD = 2, EUR = 2, GBP = 2, CHF = 2, CAD = 2, AUD = 2, SEK = 2, NOK = 2, DKK = 2, PLN = 2, CZK = 2, INR = 2, BRL = 2, MXN = 2, SGD = 2, HKD = 2, ZAR = 2, CNY = 2, JPY = 0, KRW = 0, ISK = 0, CLP = 0, VND = 0, BHD = 3, KWD = 3, OMR = 3, JOD = 3, TND = 3 }, currency, -1)
    ])
    error_message = "max_transaction_amounts keys must be ISO 4217 codes the API supports (docs/interfaces.md), each amount with at most the currency's minor units as decimals."
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
  description = "Access-Control-Allow-Origin of CORS preflights, gateway responses and every function response (CORS_ALLOW_ORIGIN): `*` or one origin such as https://app.example.com (tokens travel in the Authorization header, never cookies)."
  default     = "*"

  validation {
    condition     = var.cors_allow_origin == "*" || can(regex("^https?://[a-z0-9.-]+(:[0-9]+)?$", var.cors_allow_origin))
    error_message = "cors_allow_origin must be * or an origin such as https://app.example.com."
  }
}

# ---------------------------------------------------------------------------------------------
# Partners (per-partner signing keys and usage plans)
# ---------------------------------------------------------------------------------------------
variable "partners" {
  type        = map(object({ key_ids = list(string), quota_per_day = optional(number, 100000) }))
  description = "Partners keyed by name: their signing key ids (each a Secrets Manager secret `<project>-<env>/partner-keys/<partner>/<key id>`, tokens carry kid `<partner>/<key id>`; list two while rotating) and their usage plan's daily request quota. Empty creates none."
  default     = {}

  validation {
    condition     = alltrue([for name, partner in var.partners : can(regex("^[a-z0-9][a-z0-9-]{0,31}$", name))])
    error_message = "partner names must match ^[a-z0-9][a-z0-9-]{0,31}$ (lowercase letters, digits, dashes; at most 32 characters)."
  }

  validation {
    condition     = alltrue(flatten([for partner in var.partners : [for key_id in partner.key_ids : can(regex("^[a-z0-9][a-z0-9-]{0,31}$", key_id))]]))
    error_message = "key ids must match ^[a-z0-9][a-z0-9-]{0,31}$."
  }

  # Two ids cover a rotation overlap (current and next); more would be keys nobody retires.
  validation {
    condition     = alltrue([for partner in var.partners : length(partner.key_ids) >= 1 && length(partner.key_ids) <= 2 && length(distinct(partner.key_ids)) == length(partner.key_ids)])
    error_message = "each partner needs one or two distinct key ids (two only while rotating)."
  }

  validation {
    condition     = alltrue([for partner in var.partners : partner.quota_per_day >= 1 && floor(partner.quota_per_day) == partner.quota_per_day])
    error_message = "quota_per_day must be a whole number >= 1."
  }
}

variable "partner_key_cache_seconds" {
  type        = number
  description = "PARTNER_KEY_CACHE_SECONDS: how long the authorizer caches a partner signing key; also the bound on how long a removed (revoked) key keeps working in a warm authorizer."
  default     = 300

  validation {
    condition     = var.partner_key_cache_seconds >= 0 && var.partner_key_cache_seconds <= 3600
    error_message = "partner_key_cache_seconds must be between 0 and 3600."
  }
}

variable "partner_token_max_lifetime_seconds" {
  type        = number
  description = "PARTNER_TOKEN_MAX_LIFETIME_SECONDS: the longest exp - iat a partner token may have."
  default     = 3600

  validation {
    condition     = var.partner_token_max_lifetime_seconds >= 60 && var.partner_token_max_lifetime_seconds <= 86400
    error_message = "partner_token_max_lifetime_seconds must be between 60 and 86400."
  }
}

# ---------------------------------------------------------------------------------------------
# Edge
# ---------------------------------------------------------------------------------------------
variable "waf_rate_limit" {
  type        = number
  description = "Requests per IP per evaluation window (waf_rate_limit_window_seconds) above which the CloudFront WAF blocks the IP."
  default     = 10000

  validation {
    condition     = var.waf_rate_limit >= 100 && var.waf_rate_limit <= 2000000000 && floor(var.waf_rate_limit) == var.waf_rate_limit
    error_message = "waf_rate_limit must be a whole number between 100 and 2000000000."
  }
}

# AWS accepts 60, 120, 300 (its default) or 600 seconds; the window is how far back WAF counts,
# so a blocked IP is allowed again once its count over the last window is back under the limit
# (https://docs.aws.amazon.com/waf/latest/developerguide/waf-rule-statement-type-rate-based-high-level-settings.html).
variable "waf_rate_limit_window_seconds" {
  type        = number
  description = "Evaluation window of the CloudFront WAF's per-IP rate limit, in seconds (60, 120, 300 or 600)."
  default     = 300

  validation {
    condition     = contains([60, 120, 300, 600], var.waf_rate_limit_window_seconds)
    error_message = "waf_rate_limit_window_seconds must be 60, 120, 300 or 600 (the values AWS WAF accepts)."
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

variable "active_region" {
  type        = string
  description = "Region that takes every request through CloudFront (all methods): the \"write to one Region\" model of the global table. null means primary_region. Failover: set it to the other region and apply."
  default     = null

  validation {
    condition     = var.active_region == null || contains([var.primary_region, var.secondary_region], coalesce(var.active_region, var.primary_region))
    error_message = "active_region must be null, primary_region or secondary_region."
  }
}

variable "writes_paused" {
  type        = bool
  description = "Pause every write in both regions (WRITE_REGION = \"none\": POST, PUT, PATCH and DELETE answer 503 REGION_NOT_WRITABLE, reads are served). Step 1 of a planned failover: pause, wait until replication has drained, then set active_region to the other region with writes_paused = false (docs/operations.md)."
  default     = false
  nullable    = false
}

variable "origin_verify_active_slot" {
  type        = string
  description = "Which origin-verify slot CloudFront sends (blue or green); the regional WAFs accept both. Rotation: docs/operations.md."
  default     = "blue"

  validation {
    condition     = contains(["blue", "green"], var.origin_verify_active_slot)
    error_message = "origin_verify_active_slot must be blue or green."
  }
}

variable "origin_verify_generations" {
  type = object({
    blue  = optional(number, 1)
    green = optional(number, 1)
  })
  description = "Generation of each origin-verify slot; raising a slot's number replaces its random value. Raise only the slot CloudFront does not send (see origin_verify_active_slot)."
  default     = {}
  nullable    = false

  validation {
    condition     = alltrue([for generation in values(var.origin_verify_generations) : generation >= 1 && floor(generation) == generation])
    error_message = "origin_verify_generations values must be whole numbers of at least 1."
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
  description = "Public host name of the API, an alias of CloudFront (A and AAAA), e.g. api.example.com, with an ACM certificate and a Route 53 health check per region. Null serves the API on the cloudfront.net name only."
  default     = null

  validation {
    condition     = var.domain_name == null || can(regex("^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,63}$", var.domain_name))
    error_message = "domain_name must be a lowercase DNS name such as api.example.com."
  }
}

variable "hosted_zone_id" {
  type        = string
  description = "Existing Route 53 public hosted zone that holds domain_name; required with domain_name. The stack adds records to it and never creates or deletes a zone."
  default     = null

  validation {
    condition     = var.hosted_zone_id == null || can(regex("^Z[A-Z0-9]{1,31}$", var.hosted_zone_id))
    error_message = "hosted_zone_id must be a Route 53 zone id such as Z0123456789ABCDEFGHIJ."
  }

  validation {
    condition     = (var.domain_name == null) == (var.hosted_zone_id == null)
    error_message = "domain_name and hosted_zone_id go together: set both (an existing public zone holding the domain) or neither."
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

# --- Transaction events (issue 14, modules/transaction_events) -------------------------------------
variable "events_batch_size" {
  type        = number
  description = "Most DynamoDB stream records per invocation of the transaction events publisher (one SNS Publish each)."
  default     = 100

  validation {
    condition     = var.events_batch_size >= 1 && var.events_batch_size <= 1000 && floor(var.events_batch_size) == var.events_batch_size
    error_message = "events_batch_size must be a whole number between 1 and 1000."
  }
}

variable "events_maximum_batching_window_seconds" {
  type        = number
  description = "Seconds Lambda may wait to fill a publisher batch (0-300); adds to the publish latency (0: events within about a second of the write)."
  default     = 0

  validation {
    condition     = var.events_maximum_batching_window_seconds >= 0 && var.events_maximum_batching_window_seconds <= 300 && floor(var.events_maximum_batching_window_seconds) == var.events_maximum_batching_window_seconds
    error_message = "events_maximum_batching_window_seconds must be a whole number between 0 and 300."
  }
}

variable "events_maximum_retry_attempts" {
  type        = number
  description = "Retries of a failing publisher batch before its records' invocation record goes to the failure queue (bounded, never infinite)."
  default     = 10

  validation {
    condition     = var.events_maximum_retry_attempts >= 0 && var.events_maximum_retry_attempts <= 10000 && floor(var.events_maximum_retry_attempts) == var.events_maximum_retry_attempts
    error_message = "events_maximum_retry_attempts must be a whole number between 0 and 10000."
  }
}

variable "events_maximum_record_age_seconds" {
  type        = number
  description = "Oldest stream record still sent to the publisher (60-21600 s); older ones go to the failure queue while the 24 h stream still holds them for a replay."
  default     = 3600

  validation {
    condition     = var.events_maximum_record_age_seconds >= 60 && var.events_maximum_record_age_seconds <= 21600 && floor(var.events_maximum_record_age_seconds) == var.events_maximum_record_age_seconds
    error_message = "events_maximum_record_age_seconds must be a whole number between 60 and 21600."
  }
}

variable "events_subscriber_filter_policy" {
  type        = string
  description = "SNS filter policy (JSON object on the message attributes event_type, currency, type) of the reference subscriber queue; the default takes every transaction.created event."
  default     = "{\"event_type\":[\"transaction.created\"]}"

  validation {
    condition     = can(keys(jsondecode(var.events_subscriber_filter_policy)))
    error_message = "events_subscriber_filter_policy must be a JSON object."
  }
}

variable "alarm_events_iterator_age_ms" {
  type        = number
  description = "Maximum IteratorAge (ms) of the transaction events publisher above which an alarm fires: events are that late."
  default     = 60000

  validation {
    condition     = var.alarm_events_iterator_age_ms >= 1000
    error_message = "alarm_events_iterator_age_ms must be at least 1000."
  }
}
