locals {
  # Routes of docs/interfaces.md. auth: "cognito" (COGNITO_USER_POOLS), "partner" (Lambda TOKEN
  # authorizer, accepts Cognito and partner tokens) or "none".
  routes = {
    "/health" = {
      path_parameters = []
      methods = {
        get = { operation_id = "getHealth", function = "health", auth = "none", model = null, headers = [], query = [] }
      }
    }
    "/profiles" = {
      path_parameters = []
      methods = {
        post = { operation_id = "createProfile", function = "profiles", auth = "cognito", model = "ProfileCreate", headers = [], query = [] }
      }
    }
    "/profiles/me" = {
      path_parameters = []
      methods = {
        get    = { operation_id = "getProfile", function = "profiles", auth = "cognito", model = null, headers = [], query = [] }
        put    = { operation_id = "updateProfile", function = "profiles", auth = "cognito", model = "ProfileUpdate", headers = [], query = [] }
        delete = { operation_id = "deleteProfile", function = "profiles", auth = "cognito", model = null, headers = [], query = [] }
      }
    }
    "/profiles/me/sessions" = {
      path_parameters = []
      methods = {
        get  = { operation_id = "listSessions", function = "profiles", auth = "cognito", model = null, headers = [], query = [] }
        post = { operation_id = "createSession", function = "profiles", auth = "cognito", model = "SessionCreate", headers = [], query = [] }
      }
    }
    "/profiles/me/sessions/{session_id}" = {
      path_parameters = ["session_id"]
      methods = {
        delete = { operation_id = "deleteSession", function = "profiles", auth = "cognito", model = null, headers = [], query = [] }
      }
    }
    "/profiles/me/export" = {
      path_parameters = []
      methods = {
        get = { operation_id = "exportProfile", function = "profiles", auth = "cognito", model = null, headers = [], query = ["cursor"] }
      }
    }
    "/transactions" = {
      path_parameters = []
      methods = {
        get  = { operation_id = "listTransactions", function = "transactions", auth = "partner", model = null, headers = [], query = ["limit", "cursor"] }
        post = { operation_id = "createTransaction", function = "transactions", auth = "partner", model = "TransactionCreate", headers = ["Idempotency-Key"], query = [] }
      }
    }
    "/transactions/{transaction_id}" = {
      path_parameters = ["transaction_id"]
      methods = {
        get = { operation_id = "getTransaction", function = "transactions", auth = "partner", model = null, headers = [], query = [] }
      }
    }
  }

  # Same error body as the application: {"error":{"code","message","request_id"}}.
  # message is $context.error.messageString: API Gateway quotes and escapes it, so the body is
  # always valid JSON. Gateway response templates are not VTL (no $util.escapeJavaScript) and
  # $context.error.validationErrorString is unescaped: the validator's own text holds double
  # quotes ('missing required properties (["display_name"])') and would break the JSON.
  # status null keeps API Gateway's own status code.
  # AUTHORIZER_FAILURE is what API Gateway answers when the Lambda authorizer fails other than by
  # raising "Unauthorized" (401): an outage of JWKS or Secrets Manager, a crash or a timeout. Its
  # default is 500; 503 tells clients (and the 5XX alarm) it is an outage, never bad credentials
  # (https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html,
  # https://docs.aws.amazon.com/apigateway/latest/developerguide/call-api-with-api-gateway-lambda-authorization.html).
  # Both authorizer failure types carry no message of their own ($context.error.messageString
  # renders null), so their message is fixed: the error body's message is always a string.
  gateway_responses = {
    DEFAULT_4XX                    = { status = null, code = "VALIDATION_ERROR", message = "$context.error.messageString" }
    DEFAULT_5XX                    = { status = null, code = "INTERNAL_ERROR", message = "$context.error.messageString" }
    BAD_REQUEST_BODY               = { status = "400", code = "VALIDATION_ERROR", message = "$context.error.messageString" }
    BAD_REQUEST_PARAMETERS         = { status = "400", code = "VALIDATION_ERROR", message = "$context.error.messageString" }
    UNAUTHORIZED                   = { status = "401", code = "UNAUTHORIZED", message = "$context.error.messageString" }
    ACCESS_DENIED                  = { status = "403", code = "FORBIDDEN", message = "$context.error.messageString" }
    INVALID_API_KEY                = { status = "403", code = "FORBIDDEN", message = "$context.error.messageString" }
    WAF_FILTERED                   = { status = "403", code = "FORBIDDEN", message = "$context.error.messageString" }
    MISSING_AUTHENTICATION_TOKEN   = { status = "404", code = "NOT_FOUND", message = "\"Not found\"" }
    RESOURCE_NOT_FOUND             = { status = "404", code = "NOT_FOUND", message = "$context.error.messageString" }
    REQUEST_TOO_LARGE              = { status = "413", code = "VALIDATION_ERROR", message = "$context.error.messageString" }
    UNSUPPORTED_MEDIA_TYPE         = { status = "415", code = "VALIDATION_ERROR", message = "$context.error.messageString" }
    THROTTLED                      = { status = "429", code = "THROTTLED", message = "$context.error.messageString" }
    QUOTA_EXCEEDED                 = { status = "429", code = "THROTTLED", message = "$context.error.messageString" }
    AUTHORIZER_FAILURE             = { status = "503", code = "SERVICE_UNAVAILABLE", message = "\"Service unavailable, try again later\"" }
    AUTHORIZER_CONFIGURATION_ERROR = { status = "500", code = "INTERNAL_ERROR", message = "\"Internal server error\"" }
    INTEGRATION_FAILURE            = { status = "502", code = "BAD_GATEWAY", message = "$context.error.messageString" }
    INTEGRATION_TIMEOUT            = { status = "503", code = "SERVICE_UNAVAILABLE", message = "$context.error.messageString" }
  }

  # The handlers validate with the same files: one source of truth. "$schema" is dropped because
  # API Gateway models are draft-04 by definition.
  models = {
    for file_name, model_name in {
      profile_create     = "ProfileCreate"
      profile_update     = "ProfileUpdate"
      session_create     = "SessionCreate"
      transaction_create = "TransactionCreate"
      } : model_name => {
      for key, value in jsondecode(file("${var.schema_dir}/${file_name}.json")) : key => value if key != "$schema"
    }
  }

  openapi_document = jsonencode(yamldecode(templatefile(var.openapi_template_path, {
    api_name                      = "${var.name}-api"
    region                        = local.region
    routes                        = local.routes
    gateway_responses             = local.gateway_responses
    models                        = local.models
    cors_allow_origin             = var.cors_allow_origin
    api_key_required              = true
    user_pool_arn                 = var.user_pool_arn
    authorizer_invoke_arn         = local.function_invoke_arns["authorizer"]
    authorizer_result_ttl_seconds = var.authorizer_result_ttl_seconds
    integration_timeout_ms        = 29000
    function_invoke_arns          = local.function_invoke_arns
  })))
}

resource "aws_api_gateway_rest_api" "api" {
  name        = "${var.name}-api"
  description = "Meridian API (${var.environment}, ${local.region})"
  body        = local.openapi_document

  # Only the stage's WAF-protected endpoint; clients come through CloudFront.
  endpoint_configuration {
    types = ["REGIONAL"]
  }

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_api_gateway_deployment" "api" {
  rest_api_id = aws_api_gateway_rest_api.api.id

  triggers = {
    redeployment = sha256(local.openapi_document)
  }

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_cloudwatch_log_group" "access" {
  name              = "/${var.name}/apigateway/access"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn
}

# API Gateway names the execution log group itself; creating it first sets retention and KMS.
resource "aws_cloudwatch_log_group" "execution" {
  name              = "API-Gateway-Execution-Logs_${aws_api_gateway_rest_api.api.id}/${local.stage_name}"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn
}

resource "aws_api_gateway_client_certificate" "backend" {
  description = "${var.name}: API Gateway's identity towards HTTP backends"
}

resource "aws_api_gateway_stage" "v1" {
  #checkov:skip=CKV_AWS_120: responses are per user; caching happens (safely) at CloudFront, not in the stage
  #checkov:skip=CKV2_AWS_77: the stage's web ACL has KnownBadInputs (Log4j); AnonymousIpList would flag CloudFront's own egress
  rest_api_id          = aws_api_gateway_rest_api.api.id
  deployment_id        = aws_api_gateway_deployment.api.id
  stage_name           = local.stage_name
  xray_tracing_enabled = true
  # Lets a future HTTP (non-Lambda) integration authenticate API Gateway; unused by Lambda proxies.
  client_certificate_id = aws_api_gateway_client_certificate.backend.id

  access_log_settings {
    destination_arn = aws_cloudwatch_log_group.access.arn
    # The *_latency fields (ms) give a request's per-hop breakdown on AWS: WAF, the authorizer
    # (and its Lambda call alone), the integration (the function) and the total (docs/load.md
    # has the Logs Insights query). Variables:
    # https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-variables-for-access-logging.html
    format = jsonencode({
      request_id                     = "$context.requestId"
      extended_id                    = "$context.extendedRequestId"
      ip                             = "$context.identity.sourceIp"
      user_agent                     = "$context.identity.userAgent"
      request_time_epoch             = "$context.requestTimeEpoch"
      http_method                    = "$context.httpMethod"
      resource_path                  = "$context.resourcePath"
      status                         = "$context.status"
      protocol                       = "$context.protocol"
      response_length                = "$context.responseLength"
      response_latency               = "$context.responseLatency"
      integration_latency            = "$context.integration.latency"
      authorizer_latency             = "$context.authorizer.latency"
      authorizer_integration_latency = "$context.authorizer.integrationLatency"
      waf_latency                    = "$context.waf.latency"
      integration_status             = "$context.integration.status"
      integration_error              = "$context.integration.error"
      error_type                     = "$context.error.responseType"
      error_message                  = "$context.error.message"
      authorizer_error               = "$context.authorizer.error"
      principal_id                   = "$context.authorizer.principalId"
      waf_status                     = "$context.waf.status"
      xray_trace_id                  = "$context.xrayTraceId"
    })
  }

  # Access and execution logging need the account's CloudWatch role, set once per account and
  # region by infra/account (https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-logging.html).
  depends_on = [aws_cloudwatch_log_group.execution]
}

resource "aws_api_gateway_method_settings" "all" {
  rest_api_id = aws_api_gateway_rest_api.api.id
  stage_name  = aws_api_gateway_stage.v1.stage_name
  method_path = "*/*"

  settings {
    #checkov:skip=CKV_AWS_225: caching is deliberately off: responses are per user (CloudFront caches what is safe)
    metrics_enabled        = true
    logging_level          = "ERROR"
    data_trace_enabled     = false # request and response bodies hold personal data
    throttling_rate_limit  = var.throttling_rate_limit
    throttling_burst_limit = var.throttling_burst_limit
    caching_enabled        = false
  }
}

# Usage plans, enforced with API key source AUTHORIZER: every /transactions method requires an API
# key, and the Lambda authorizer returns the caller's key value as usageIdentifierKey
# (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-api-key-source.html,
# https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-lambda-authorizer-output.html).
# A missing or unknown key is 403 (INVALID_API_KEY), an exhausted quota 429 (QUOTA_EXCEEDED).
#
# In this mode the client never sends the key: the value is an identifier chosen by the
# authorizer after it verified the caller's token, not a credential (API keys must never be one:
# https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-api-usage-plans.html#apigateway-usage-plans-best-practices).
# So the values are deterministic, `<name>-usage-partner-<partner>` and `<name>-usage-app-users`,
# and identical in both regions: either region's authorizer returns the same key for a caller.
# Values must be 20-128 characters (CreateApiKey; https://github.com/hashicorp/terraform-provider-aws/pull/30894):
# the shortest possible here, a 3-character project and 1-character environment, gives 21.
locals {
  usage_plans = merge(
    # App users (Cognito tokens) share one key with no quota: the stage throttle still applies.
    { "app-users" = { description = "Meridian app users (Cognito tokens): no quota", quota_per_day = null } },
    { for partner, settings in var.partners : "partner-${partner}" => {
      description   = "Partner ${partner}: daily quota"
      quota_per_day = settings.quota_per_day
    } },
  )
}

resource "aws_api_gateway_api_key" "usage" {
  for_each = local.usage_plans

  name        = "${var.name}-usage-${each.key}"
  description = "Usage plan identifier returned by the Lambda authorizer (not a credential)"
  value       = "${local.usage_key_prefix}${each.key}"
  enabled     = true
}

resource "aws_api_gateway_usage_plan" "usage" {
  for_each = local.usage_plans

  name        = "${var.name}-${each.key}"
  description = each.value.description

  api_stages {
    api_id = aws_api_gateway_rest_api.api.id
    stage  = aws_api_gateway_stage.v1.stage_name
  }

  dynamic "quota_settings" {
    for_each = each.value.quota_per_day == null ? [] : [each.value.quota_per_day]
    content {
      limit  = quota_settings.value
      period = "DAY"
    }
  }

  throttle_settings {
    rate_limit  = var.throttling_rate_limit
    burst_limit = var.throttling_burst_limit
  }
}

resource "aws_api_gateway_usage_plan_key" "usage" {
  for_each = local.usage_plans

  key_id        = aws_api_gateway_api_key.usage[each.key].id
  key_type      = "API_KEY"
  usage_plan_id = aws_api_gateway_usage_plan.usage[each.key].id
}
