data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  region     = data.aws_region.current.name
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition
  stage_name = "v1"

  # Values of the usage plans' API keys: identifiers, not credentials (see api_gateway.tf).
  usage_key_prefix = "${var.name}-usage-"

  # Deterministic ARNs of this region's copies (known at plan time, so IAM policies are too).
  table_arn = "arn:${local.partition}:dynamodb:${local.region}:${local.account_id}:table/${var.table_name}"

  # One custom-metrics namespace per stack: Powertools' only dimension is `service` (the function
  # key, the same in every environment), so a shared "Meridian" namespace would let a pr123
  # environment's AuthorizerFailure fire prod's alarm in the same account and region.
  metrics_namespace = "Meridian/${var.name}"

  common_environment = {
    ENVIRONMENT                  = var.environment
    LOG_LEVEL                    = var.log_level
    POWERTOOLS_METRICS_NAMESPACE = local.metrics_namespace
    # The write fence (contract A, issue 12): every function of both regions knows the one region
    # that takes writes ("none": paused). A function elsewhere refuses POST/PUT/PATCH/DELETE with
    # 503 REGION_NOT_WRITABLE before any DynamoDB write, whatever path the request took
    # (src/meridian/regions.py). Only the environment changes on a failover: no redeploy of code.
    WRITE_REGION = var.write_region
  }

  # With a Lambda proxy integration the function's own headers reach the client unchanged, so
  # every function that answers a browser sends Access-Control-Allow-Origin itself; the same value
  # as the preflights and gateway responses of the OpenAPI document.
  # https://docs.aws.amazon.com/apigateway/latest/developerguide/how-to-cors.html
  cors_environment = {
    CORS_ALLOW_ORIGIN = var.cors_allow_origin
  }

  # Handlers and environment exactly as docs/interfaces.md.
  # The functions API Gateway invokes (routes and the authorizer).
  api_functions = {
    profiles = {
      handler = "meridian.handlers.profiles.handler"
      environment = merge(local.cors_environment, {
        TABLE_NAME          = var.table_name
        SESSION_TTL_SECONDS = tostring(var.session_ttl_seconds)
      })
    }
    transactions = {
      handler = "meridian.handlers.transactions.handler"
      environment = merge(local.cors_environment, {
        TABLE_NAME = var.table_name
        # JSON object: currency => maximum; "{}" keeps the function's per-currency defaults.
        MAX_TRANSACTION_AMOUNTS = jsonencode(var.max_transaction_amounts)
      })
    }
    authorizer = {
      handler = "meridian.handlers.authorizer.handler"
      environment = {
        COGNITO_USER_POOL_ID   = var.user_pool_id
        COGNITO_APP_CLIENT_IDS = join(",", var.app_client_ids)
        # Partner keys are read by name, `<prefix><partner>/<key id>` from the token's kid, in
        # this region (the secondary reads the replicas): never a key in the environment.
        PARTNER_KEY_SECRET_PREFIX          = var.partner_key_secret_prefix
        PARTNER_KEY_CACHE_SECONDS          = tostring(var.partner_key_cache_seconds)
        PARTNER_TOKEN_MAX_LIFETIME_SECONDS = tostring(var.partner_token_max_lifetime_seconds)
        PARTNER_ISSUER                     = "${var.project}-partners-${var.environment}"
        PARTNER_AUDIENCE                   = "${var.project}-api-${var.environment}"
        # The authorizer returns USAGE_KEY_PREFIX + "partner-<p>" or + "app-users" as
        # usageIdentifierKey: the value of one of this stage's usage plan keys (api_gateway.tf).
        USAGE_KEY_PREFIX = local.usage_key_prefix
      }
    }
    health = {
      handler = "meridian.handlers.health.handler"
      environment = merge(local.cors_environment, {
        TABLE_NAME = var.table_name
      })
    }
  }

  # Every function of the region: the API's, and the transaction events publisher when there is one.
  functions = merge(local.api_functions, var.transaction_events_publisher == null ? {} : {
    transaction_events = {
      handler     = "meridian.handlers.transaction_events.handler"
      environment = { EVENTS_TOPIC_ARN = var.transaction_events_publisher.topic_arn }
    }
  })

  function_environment = {
    for function_name, function in local.functions : function_name => merge(
      local.common_environment,
      { POWERTOOLS_SERVICE_NAME = function_name },
      function.environment,
    )
  }
}
