# The regional API module alone: every resource is visible to the assertions.
mock_provider "aws" {
  source          = "./tests/mocks"
  override_during = plan

  mock_data "aws_region" {
    defaults = {
      name = "us-east-1"
    }
  }
}

variables {
  name                               = "meridian-dev"
  project                            = "meridian"
  environment                        = "dev"
  openapi_template_path              = "./api/openapi.yaml"
  schema_dir                         = "../src/meridian/schemas"
  lambda_package_dir                 = "../build/lambda"
  lambda_runtime                     = "python3.13"
  lambda_memory_mb                   = 512
  lambda_timeout_seconds             = 10
  lambda_reserved_concurrency        = { authorizer = 50 }
  log_level                          = "INFO"
  log_retention_days                 = 90
  kms_key_arn                        = "arn:aws:kms:us-east-1:123456789012:key/mrk-00000000000000000000000000000001"
  table_name                         = "meridian-dev-main"
  partner_key_secret_prefix          = "meridian-dev/partner-keys/"
  user_pool_arn                      = "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_AbCdEf123"
  user_pool_id                       = "us-east-1_AbCdEf123"
  app_client_ids                     = ["client-one", "client-two"]
  session_ttl_seconds                = 2592000
  max_transaction_amounts            = { VND = "30000000000" }
  partner_key_cache_seconds          = 300
  partner_token_max_lifetime_seconds = 3600
  throttling_rate_limit              = 5000
  throttling_burst_limit             = 10000
  authorizer_result_ttl_seconds      = 300
  cors_allow_origin                  = "*"
  origin_verify_header_name          = "X-Origin-Verify"
  origin_verify_header_values        = ["00000000-0000-4000-8000-000000000000", "11111111-1111-4111-8111-111111111111"]
  partners                           = { acme = { quota_per_day = 100000 }, globex = { quota_per_day = 500 } }
  alarm_emails                       = ["ops@example.com"]
  alarm_api_5xx_rate_percent         = 1
  alarm_api_p99_latency_ms           = 2000
  alarm_replication_latency_ms       = 60000
  peer_region                        = "us-west-2"
  xray_sampling_rate                 = 0.05
  write_region                       = "us-east-1"
  transaction_events_publisher = {
    topic_arn            = "arn:aws:sns:us-east-1:123456789012:meridian-dev-transaction-events"
    failure_queue_arn    = "arn:aws:sqs:us-east-1:123456789012:meridian-dev-transaction-events-failed"
    memory_mb            = 256
    timeout_seconds      = 60
    reserved_concurrency = 10
  }
}

# One plan of the module with the file's variables carries every assertion about it: each run is
# a full plan (~6 s of CPU), and Terraform evaluates every assert of a run, reporting each failing
# one by its own error_message, so merging the runs loses no check (docs/testing-guide.md).
run "regional_api_with_dev_values" {
  command = plan

  module {
    source = "./modules/regional_api"
  }

  # --- functions follow the contract ---
  assert {
    condition = {
      for name, function in aws_lambda_function.function : name => function.handler
      } == {
      authorizer         = "meridian.handlers.authorizer.handler"
      health             = "meridian.handlers.health.handler"
      profiles           = "meridian.handlers.profiles.handler"
      transactions       = "meridian.handlers.transactions.handler"
      transaction_events = "meridian.handlers.transaction_events.handler"
    }
    error_message = "handlers must match docs/interfaces.md"
  }

  assert {
    condition = jsonencode({
      for name, function in aws_lambda_function.function : name => sort(keys(function.environment[0].variables))
      }) == jsonencode({
      authorizer   = ["COGNITO_APP_CLIENT_IDS", "COGNITO_USER_POOL_ID", "ENVIRONMENT", "LOG_LEVEL", "PARTNER_AUDIENCE", "PARTNER_ISSUER", "PARTNER_KEY_CACHE_SECONDS", "PARTNER_KEY_SECRET_PREFIX", "PARTNER_TOKEN_MAX_LIFETIME_SECONDS", "POWERTOOLS_METRICS_NAMESPACE", "POWERTOOLS_SERVICE_NAME", "USAGE_KEY_PREFIX", "WRITE_REGION"]
      health       = ["CORS_ALLOW_ORIGIN", "ENVIRONMENT", "LOG_LEVEL", "POWERTOOLS_METRICS_NAMESPACE", "POWERTOOLS_SERVICE_NAME", "TABLE_NAME", "WRITE_REGION"]
      profiles     = ["CORS_ALLOW_ORIGIN", "ENVIRONMENT", "LOG_LEVEL", "POWERTOOLS_METRICS_NAMESPACE", "POWERTOOLS_SERVICE_NAME", "SESSION_TTL_SECONDS", "TABLE_NAME", "WRITE_REGION"]
      transactions = ["CORS_ALLOW_ORIGIN", "ENVIRONMENT", "LOG_LEVEL", "MAX_TRANSACTION_AMOUNTS", "POWERTOOLS_METRICS_NAMESPACE", "POWERTOOLS_SERVICE_NAME", "TABLE_NAME", "WRITE_REGION"]
      # meridian.config reads EVENTS_TOPIC_ARN; WRITE_REGION is everyone's (unused by the publisher).
      transaction_events = ["ENVIRONMENT", "EVENTS_TOPIC_ARN", "LOG_LEVEL", "POWERTOOLS_METRICS_NAMESPACE", "POWERTOOLS_SERVICE_NAME", "WRITE_REGION"]
    })
    error_message = "each function must get exactly the environment variables of docs/interfaces.md"
  }

  assert {
    condition     = aws_lambda_function.function["transactions"].environment[0].variables.MAX_TRANSACTION_AMOUNTS == "{\"VND\":\"30000000000\"}"
    error_message = "the per-currency maximums reach the transactions function as one JSON object"
  }

  assert {
    condition     = alltrue([for name in ["profiles", "transactions", "health"] : aws_lambda_function.function[name].environment[0].variables.CORS_ALLOW_ORIGIN == var.cors_allow_origin])
    error_message = "every function that answers a browser sends the configured Access-Control-Allow-Origin itself (Lambda proxy integration)"
  }

  assert {
    condition     = aws_lambda_function.function["authorizer"].environment[0].variables.PARTNER_KEY_SECRET_PREFIX == "meridian-dev/partner-keys/" && aws_lambda_function.function["authorizer"].environment[0].variables.COGNITO_APP_CLIENT_IDS == "client-one,client-two"
    error_message = "the authorizer gets the partner key secrets' name prefix (never a key) and the comma-separated client ids"
  }

  assert {
    condition = (
      aws_lambda_function.function["authorizer"].environment[0].variables.PARTNER_KEY_CACHE_SECONDS == "300"
      && aws_lambda_function.function["authorizer"].environment[0].variables.PARTNER_TOKEN_MAX_LIFETIME_SECONDS == "3600"
      && aws_lambda_function.function["authorizer"].environment[0].variables.USAGE_KEY_PREFIX == "meridian-dev-usage-"
    )
    error_message = "the authorizer gets the key cache window, the maximum partner token lifetime and the usage key prefix"
  }

  assert {
    condition     = aws_lambda_function.function["authorizer"].environment[0].variables.PARTNER_ISSUER == "meridian-partners-dev" && aws_lambda_function.function["authorizer"].environment[0].variables.PARTNER_AUDIENCE == "meridian-api-dev"
    error_message = "partner issuer and audience carry project and environment"
  }

  assert {
    condition     = alltrue([for function in aws_lambda_function.function : function.environment[0].variables.POWERTOOLS_METRICS_NAMESPACE == "Meridian/meridian-dev"])
    error_message = "metrics namespace is Meridian/<name>: one per stack, so environments in one account never share a custom metric"
  }

  assert {
    condition     = alltrue([for name, function in aws_lambda_function.function : function.environment[0].variables.POWERTOOLS_SERVICE_NAME == name])
    error_message = "POWERTOOLS_SERVICE_NAME is the function's short name"
  }

  assert {
    condition     = alltrue([for function in aws_lambda_function.function : function.tracing_config[0].mode == "Active"])
    error_message = "X-Ray must be Active on every function"
  }

  assert {
    condition     = alltrue([for function in aws_lambda_function.function : function.architectures == tolist(["arm64"]) && function.runtime == "python3.13"])
    error_message = "functions run python3.13 on arm64"
  }

  assert {
    condition     = alltrue([for function in aws_lambda_function.function : function.kms_key_arn == var.kms_key_arn])
    error_message = "function environments are encrypted with the customer-managed key"
  }

  assert {
    condition     = aws_lambda_function.function["authorizer"].reserved_concurrent_executions == 50 && aws_lambda_function.function["profiles"].reserved_concurrent_executions == -1
    error_message = "reserved concurrency is optional per function"
  }

  assert {
    condition     = alltrue([for name, function in aws_lambda_function.function : function.source_code_hash == filebase64sha256("../build/lambda/${name}.zip")])
    error_message = "source_code_hash must be the zip's filebase64sha256"
  }

  assert {
    condition     = alltrue([for name, function in aws_lambda_function.function : function.function_name == "meridian-dev-${name}" && function.logging_config[0].log_group == "/meridian-dev/lambda/${name}"])
    error_message = "function and log group names carry the environment"
  }

  # --- logs are encrypted and retained ---
  assert {
    condition = alltrue([
      for group in concat(values(aws_cloudwatch_log_group.function), [aws_cloudwatch_log_group.access, aws_cloudwatch_log_group.execution, aws_cloudwatch_log_group.waf]) :
      group.retention_in_days >= 90 && group.kms_key_id == var.kms_key_arn
    ])
    error_message = "every log group keeps 90+ days and is KMS-encrypted"
  }

  assert {
    condition     = startswith(aws_cloudwatch_log_group.waf.name, "aws-waf-logs-meridian-dev-")
    error_message = "WAF log groups must start with aws-waf-logs-"
  }

  assert {
    condition     = aws_sns_topic.alarms.kms_master_key_id == var.kms_key_arn
    error_message = "the alarm topic is KMS-encrypted"
  }

  assert {
    condition     = toset([for subscription in aws_sns_topic_subscription.email : subscription.endpoint]) == toset(["ops@example.com"])
    error_message = "one e-mail subscription per address"
  }

  # --- stage tracing logging and throttling ---
  assert {
    condition     = aws_api_gateway_stage.v1.xray_tracing_enabled && aws_api_gateway_stage.v1.stage_name == "v1"
    error_message = "stage v1 with X-Ray tracing"
  }

  assert {
    condition     = can(jsondecode(aws_api_gateway_stage.v1.access_log_settings[0].format).request_id)
    error_message = "access logs are JSON with the request id"
  }

  # Issue 15: the per-hop latency of a request on AWS comes from these fields (docs/load.md query).
  assert {
    condition = alltrue([
      for field, variable in {
        waf_latency                    = "$context.waf.latency"
        authorizer_latency             = "$context.authorizer.latency"
        authorizer_integration_latency = "$context.authorizer.integrationLatency"
        integration_latency            = "$context.integration.latency"
        response_latency               = "$context.responseLatency"
      } : lookup(jsondecode(aws_api_gateway_stage.v1.access_log_settings[0].format), field, "") == variable
    ])
    error_message = "the access log has the per-hop latencies (WAF, authorizer, integration, total)"
  }

  assert {
    condition     = aws_api_gateway_method_settings.all.settings[0].throttling_rate_limit == 5000 && aws_api_gateway_method_settings.all.settings[0].throttling_burst_limit == 10000
    error_message = "method throttling comes from the variables (5,000 rps / 10,000 burst)"
  }

  assert {
    condition     = aws_api_gateway_method_settings.all.settings[0].metrics_enabled && !aws_api_gateway_method_settings.all.settings[0].data_trace_enabled
    error_message = "metrics on, data trace off"
  }

  assert {
    condition     = aws_api_gateway_deployment.api.triggers.redeployment == sha256(aws_api_gateway_rest_api.api.body)
    error_message = "the deployment is re-triggered by the body's hash"
  }

  # --- usage plans are enforced ---
  # API key source AUTHORIZER: the authorizer returns the caller's usage plan key as
  # usageIdentifierKey; the key value is an identifier the client never sends, so the same value in
  # both regions is no secret (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-api-key-source.html,
  # https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-lambda-authorizer-output.html,
  # best practices: https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-api-usage-plans.html#apigateway-usage-plans-best-practices).
  assert {
    condition     = jsondecode(aws_api_gateway_rest_api.api.body)["x-amazon-apigateway-api-key-source"] == "AUTHORIZER"
    error_message = "API keys come from the Lambda authorizer (usageIdentifierKey), never from a client header"
  }

  assert {
    condition = alltrue(flatten([
      for path, item in jsondecode(aws_api_gateway_rest_api.api.body).paths : [
        for method, operation in item : contains(keys(operation.security[0]), "api_key")
      if contains(["get", "post", "put", "delete"], method)] if startswith(path, "/transactions")
    ]))
    error_message = "every /transactions method requires an API key (api_key_required), so its usage plan is enforced"
  }

  assert {
    condition = alltrue(flatten([
      for path, item in jsondecode(aws_api_gateway_rest_api.api.body).paths : [
        for method, operation in item : !contains(keys(try(operation.security[0], {})), "api_key")
      if contains(["get", "post", "put", "delete"], method)] if !startswith(path, "/transactions")
    ]))
    error_message = "only the Lambda-authorized routes require an API key (the Cognito authorizer returns none)"
  }

  assert {
    condition     = jsondecode(aws_api_gateway_rest_api.api.body).components.securitySchemes.api_key.name == "x-api-key" && jsondecode(aws_api_gateway_rest_api.api.body).components.securitySchemes.api_key.in == "header"
    error_message = "the api_key security scheme is the one API Gateway's OpenAPI import maps to apiKeyRequired"
  }

  assert {
    condition = { for key, api_key in aws_api_gateway_api_key.usage : key => api_key.value } == {
      "app-users"      = "meridian-dev-usage-app-users"
      "partner-acme"   = "meridian-dev-usage-partner-acme"
      "partner-globex" = "meridian-dev-usage-partner-globex"
    }
    error_message = "API key values are <project>-<env>-usage-<plan>: deterministic, so identical in both regions"
  }

  assert {
    condition     = alltrue([for api_key in aws_api_gateway_api_key.usage : api_key.enabled && length(api_key.value) >= 20])
    error_message = "every usage key is enabled and at least 20 characters (CreateApiKey's minimum)"
  }

  assert {
    condition = (
      aws_api_gateway_usage_plan.usage["partner-acme"].quota_settings[0].limit == 100000
      && aws_api_gateway_usage_plan.usage["partner-acme"].quota_settings[0].period == "DAY"
      && aws_api_gateway_usage_plan.usage["partner-globex"].quota_settings[0].limit == 500
      && length(aws_api_gateway_usage_plan.usage["app-users"].quota_settings) == 0
    )
    error_message = "each partner gets its own plan with its daily quota; the app users' plan has no quota"
  }

  assert {
    condition = alltrue([for plan in aws_api_gateway_usage_plan.usage :
    length(plan.api_stages) == 1 && one(plan.api_stages).stage == "v1"])
    error_message = "every usage plan is bound to this region's v1 stage"
  }

  assert {
    condition     = keys(aws_api_gateway_usage_plan_key.usage) == keys(aws_api_gateway_usage_plan.usage) && alltrue([for binding in aws_api_gateway_usage_plan_key.usage : binding.key_type == "API_KEY"])
    error_message = "each usage key is bound to its own plan"
  }

  # --- openapi document ---
  assert {
    condition = toset(keys(jsondecode(aws_api_gateway_rest_api.api.body).paths)) == toset([
      "/health", "/profiles", "/profiles/me", "/profiles/me/export", "/profiles/me/sessions",
      "/profiles/me/sessions/{session_id}", "/transactions", "/transactions/{transaction_id}",
    ])
    error_message = "the document holds exactly the routes of docs/interfaces.md"
  }

  assert {
    condition     = jsondecode(aws_api_gateway_rest_api.api.body).paths["/health"].get.security == []
    error_message = "/health needs no auth"
  }

  assert {
    condition = alltrue(flatten([
      for path, item in jsondecode(aws_api_gateway_rest_api.api.body).paths : [
        for method, operation in item : jsonencode(keys(operation.security[0])) == jsonencode(["cognito"])
      if contains(["get", "post", "put", "delete"], method)] if startswith(path, "/profiles")
    ]))
    error_message = "/profiles routes use the COGNITO_USER_POOLS authorizer"
  }

  assert {
    condition = alltrue(flatten([
      for path, item in jsondecode(aws_api_gateway_rest_api.api.body).paths : [
        for method, operation in item : contains(keys(operation.security[0]), "partner") && !contains(keys(operation.security[0]), "cognito")
      if contains(["get", "post", "put", "delete"], method)] if startswith(path, "/transactions")
    ]))
    error_message = "/transactions routes use the Lambda TOKEN authorizer"
  }

  assert {
    condition = alltrue([
      for path, item in jsondecode(aws_api_gateway_rest_api.api.body).paths :
      item.options["x-amazon-apigateway-integration"].type == "mock" && item.options.security == []
    ])
    error_message = "every path answers CORS preflights with an unauthenticated mock integration"
  }

  assert {
    condition     = jsondecode(aws_api_gateway_rest_api.api.body).components.securitySchemes.cognito["x-amazon-apigateway-authorizer"].providerARNs == [var.user_pool_arn]
    error_message = "the Cognito authorizer points at the user pool"
  }

  assert {
    condition     = jsondecode(aws_api_gateway_rest_api.api.body).components.securitySchemes.partner["x-amazon-apigateway-authorizer"].type == "token" && jsondecode(aws_api_gateway_rest_api.api.body).components.securitySchemes.partner["x-amazon-apigateway-authorizer"].authorizerResultTtlInSeconds == 300
    error_message = "the Lambda authorizer is a TOKEN authorizer with a 300 s result cache"
  }

  assert {
    condition = jsondecode(aws_api_gateway_rest_api.api.body).components.schemas.TransactionCreate == {
      for key, value in jsondecode(file("../src/meridian/schemas/transaction_create.json")) : key => value if key != "$schema"
    }
    error_message = "models are the JSON schemas of src/meridian/schemas (one source of truth)"
  }

  assert {
    condition     = jsondecode(aws_api_gateway_rest_api.api.body).paths["/transactions"].post["x-amazon-apigateway-request-validator"] == "all" && jsondecode(aws_api_gateway_rest_api.api.body).paths["/transactions"].post.parameters[0].name == "Idempotency-Key"
    error_message = "POST /transactions validates its body and requires Idempotency-Key"
  }

  assert {
    condition = alltrue([
      for response_type in ["DEFAULT_4XX", "DEFAULT_5XX", "UNAUTHORIZED", "ACCESS_DENIED", "THROTTLED", "BAD_REQUEST_BODY", "MISSING_AUTHENTICATION_TOKEN"] :
      can(jsondecode(aws_api_gateway_rest_api.api.body)["x-amazon-apigateway-gateway-responses"][response_type].responseTemplates["application/json"])
    ])
    error_message = "gateway responses cover the required types"
  }

  assert {
    condition     = jsondecode(aws_api_gateway_rest_api.api.body)["x-amazon-apigateway-gateway-responses"].MISSING_AUTHENTICATION_TOKEN.statusCode == "404" && strcontains(jsondecode(aws_api_gateway_rest_api.api.body)["x-amazon-apigateway-gateway-responses"].MISSING_AUTHENTICATION_TOKEN.responseTemplates["application/json"], "\"code\":\"NOT_FOUND\"")
    error_message = "unknown routes answer 404 NOT_FOUND"
  }

  # A Lambda authorizer that fails other than with "Unauthorized" (an outage of JWKS or Secrets
  # Manager) gives AUTHORIZER_FAILURE, default 500: mapped to 503 so an outage is never read as
  # bad credentials (https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html).
  assert {
    condition     = jsondecode(aws_api_gateway_rest_api.api.body)["x-amazon-apigateway-gateway-responses"].AUTHORIZER_FAILURE.statusCode == "503" && strcontains(jsondecode(aws_api_gateway_rest_api.api.body)["x-amazon-apigateway-gateway-responses"].AUTHORIZER_FAILURE.responseTemplates["application/json"], "\"code\":\"SERVICE_UNAVAILABLE\"")
    error_message = "an authorizer failure (dependency outage) answers 503 SERVICE_UNAVAILABLE"
  }

  # API Gateway gives AUTHORIZER_FAILURE and AUTHORIZER_CONFIGURATION_ERROR no message (null):
  # the error body's message must still be a non-empty string.
  assert {
    condition = alltrue([
      for response_type in ["AUTHORIZER_FAILURE", "AUTHORIZER_CONFIGURATION_ERROR"] :
      length(jsondecode(replace(jsondecode(aws_api_gateway_rest_api.api.body)["x-amazon-apigateway-gateway-responses"][response_type].responseTemplates["application/json"], "$context.requestId", "r-1")).error.message) > 0
    ])
    error_message = "authorizer failures carry a fixed, non-empty message (API Gateway's own is null)"
  }

  assert {
    condition = (
      jsondecode(aws_api_gateway_rest_api.api.body)["x-amazon-apigateway-gateway-responses"].INVALID_API_KEY.statusCode == "403"
      && jsondecode(aws_api_gateway_rest_api.api.body)["x-amazon-apigateway-gateway-responses"].QUOTA_EXCEEDED.statusCode == "429"
      && strcontains(jsondecode(aws_api_gateway_rest_api.api.body)["x-amazon-apigateway-gateway-responses"].QUOTA_EXCEEDED.responseTemplates["application/json"], "\"code\":\"THROTTLED\"")
    )
    error_message = "a missing or unknown usage key is 403 FORBIDDEN; an exhausted quota is 429 THROTTLED"
  }

  # Gateway response templates are plain substitution, not VTL: with API Gateway's own (quoted,
  # escaped) message put in, every body must still parse as JSON.
  assert {
    condition = alltrue([
      for response in values(jsondecode(aws_api_gateway_rest_api.api.body)["x-amazon-apigateway-gateway-responses"]) :
      can(jsondecode(replace(replace(response.responseTemplates["application/json"], "$context.error.messageString", "\"a \\\"quoted\\\" message\""), "$context.requestId", "r-1")))
      && !strcontains(response.responseTemplates["application/json"], "validationErrorString")
    ])
    error_message = "every gateway response body is valid JSON whatever API Gateway's message holds"
  }

  assert {
    condition = alltrue([
      for response in values(jsondecode(aws_api_gateway_rest_api.api.body)["x-amazon-apigateway-gateway-responses"]) :
      strcontains(response.responseTemplates["application/json"], "\"request_id\":\"$context.requestId\"")
    ])
    error_message = "every gateway response carries the request id in the app's error shape"
  }

  # --- iam is least privilege ---
  assert {
    condition = alltrue(flatten([
      for role, statements in output.iam_policy_statements : [
        for statement in statements : [for action in statement.actions : !strcontains(action, "*")]
      ]
    ]))
    error_message = "no IAM action may contain *"
  }

  assert {
    condition = alltrue(flatten([
      for role, statements in output.iam_policy_statements : [
        for statement in statements : alltrue([for action in statement.actions : startswith(action, "xray:") || action == "dynamodb:ListStreams"])
        if contains(statement.resources, "*")
      ]
    ]))
    error_message = "the only * resources allowed are X-Ray's and dynamodb:ListStreams (neither has resource-level permissions)"
  }

  assert {
    condition     = [for statement in output.iam_policy_statements.transactions : statement.actions if statement.sid == "Table"] == [["dynamodb:ConditionCheckItem", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query"]]
    error_message = "the transactions function writes only through one TransactWriteItems (Put + ConditionCheck) and reads: no UpdateItem or DeleteItem"
  }

  # --- the transaction events publisher (issue 14): beside the API functions ---
  assert {
    condition = (
      aws_lambda_function.function["transaction_events"].filename == "../build/lambda/transaction_events.zip" &&
      aws_lambda_function.function["transaction_events"].environment[0].variables.EVENTS_TOPIC_ARN == var.transaction_events_publisher.topic_arn &&
      aws_lambda_function.function["transaction_events"].memory_size == 256 &&
      aws_lambda_function.function["transaction_events"].timeout == 60 &&
      aws_lambda_function.function["transaction_events"].reserved_concurrent_executions == 10 &&
      one(aws_lambda_function.function["transaction_events"].dead_letter_config).target_arn == var.transaction_events_publisher.failure_queue_arn &&
      aws_lambda_function.function["profiles"].timeout == 10 && length(aws_lambda_function.function["profiles"].dead_letter_config) == 0
    )
    error_message = "the publisher gets its own memory, timeout, reserved concurrency and dead-letter queue; the API functions keep theirs"
  }

  assert {
    condition = {
      for statement in output.iam_policy_statements.transaction_events : statement.sid => statement.resources
      } == {
      OwnLogGroup             = ["${aws_cloudwatch_log_group.function["transaction_events"].arn}:log-stream:*"]
      XRayTraces              = ["*"]
      ThisRegionsTableStream  = ["arn:aws:dynamodb:us-east-1:123456789012:table/meridian-dev-main/stream/*"]
      ListStreams             = ["*"]
      PublishEvents           = [var.transaction_events_publisher.topic_arn]
      FailureQueue            = [var.transaction_events_publisher.failure_queue_arn]
      StackKeyThroughServices = [var.kms_key_arn]
    }
    error_message = "the publisher role may read only this region's stream, publish only to its topic and send only to its failure queue"
  }

  assert {
    condition     = [for statement in output.iam_policy_statements.transaction_events : statement.actions if statement.sid == "PublishEvents"] == [["sns:Publish"]]
    error_message = "the publisher publishes and does nothing else with SNS"
  }

  assert {
    condition     = !contains(keys(aws_lambda_permission.api), "transaction_events") && !contains(keys(local.function_invoke_arns), "transaction_events")
    error_message = "API Gateway may not invoke the publisher (only its stream mapping does)"
  }

  assert {
    condition     = toset(flatten([for statement in output.iam_policy_statements.authorizer : statement.resources if statement.sid == "PartnerSigningKeys"])) == toset(["arn:aws:secretsmanager:us-east-1:123456789012:secret:meridian-dev/partner-keys/*"])
    error_message = "the authorizer may read exactly this region's partner key secrets (by name prefix)"
  }

  assert {
    condition     = toset([for action in flatten([for statement in output.iam_policy_statements.authorizer : statement.actions]) : action if !startswith(action, "logs:") && !startswith(action, "xray:")]) == toset(["secretsmanager:GetSecretValue", "kms:Decrypt"])
    error_message = "besides its logs and traces, the authorizer only reads secret values and decrypts them"
  }

  assert {
    condition     = toset(flatten([for statement in output.iam_policy_statements.profiles : statement.resources if statement.sid == "Table"])) == toset(["arn:aws:dynamodb:us-east-1:123456789012:table/meridian-dev-main"])
    error_message = "table access is on this region's table ARN only"
  }

  assert {
    condition     = length([for statement in output.iam_policy_statements.authorizer : statement if statement.sid == "Table"]) == 0
    error_message = "the authorizer has no table access"
  }

  assert {
    condition     = length(aws_iam_role.function) == 5 && alltrue([for name, role in aws_iam_role.function : role.name == "meridian-dev-${name}-us-east-1"])
    error_message = "one role per function, named per region"
  }

  assert {
    condition     = aws_lambda_permission.api["authorizer"].source_arn == "arn:aws:execute-api:us-east-1:123456789012:abcdef1234/authorizers/*" && aws_lambda_permission.api["profiles"].source_arn == "arn:aws:execute-api:us-east-1:123456789012:abcdef1234/v1/*"
    error_message = "Lambda permissions are scoped to this API's stage or authorizers"
  }

  # --- regional waf requires the origin header ---
  assert {
    condition     = aws_wafv2_web_acl.api.scope == "REGIONAL" && aws_wafv2_web_acl.api.name == "meridian-dev-api-us-east-1"
    error_message = "a regional web ACL per region"
  }

  # Item 8. CloudFront rolls a changed origin header out edge by edge; the WAF accepts the current
  # and the previous value so a rotation causes no 403s (the pattern of AWS's reference solution
  # https://github.com/aws-samples/amazon-cloudfront-waf-secretsmanager).
  assert {
    condition = one([
      for rule in aws_wafv2_web_acl.api.rule : [
        for statement in rule.statement[0].not_statement[0].statement[0].or_statement[0].statement : {
          header = statement.byte_match_statement[0].field_to_match[0].single_header[0].name
          value  = statement.byte_match_statement[0].search_string
        }
      ]
      if rule.name == "block-without-origin-header"
      ]) == [
      { header = "x-origin-verify", value = "00000000-0000-4000-8000-000000000000" },
      { header = "x-origin-verify", value = "11111111-1111-4111-8111-111111111111" },
    ]
    error_message = "requests carrying neither the current nor the previous origin-verify value are blocked"
  }

  # Item 7. WAF logs every header unless redacted
  # (https://docs.aws.amazon.com/waf/latest/developerguide/logging-management.html).
  assert {
    condition     = toset([for field in aws_wafv2_web_acl_logging_configuration.api.redacted_fields : one(field.single_header).name]) == toset(["x-origin-verify", "authorization", "x-api-key"])
    error_message = "the regional WAF logs redact the origin-verify, Authorization and X-Api-Key headers"
  }

  assert {
    condition     = one([for rule in aws_wafv2_web_acl.api.rule : length(rule.action[0].block) if rule.name == "block-without-origin-header"]) == 1
    error_message = "the header rule blocks"
  }

  # --- authorizer alarm watches authorizer failure ---
  # A Lambda authorizer rejects a token by raising "Unauthorized", which Lambda counts in Errors: an
  # Errors alarm on the authorizer fires on routine expired tokens. The alarm watches the
  # authorizer's own AuthorizerFailure metric instead (EMF, namespace Meridian, dimension service),
  # emitted only for dependency outages and unexpected errors.
  # https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-use-lambda-authorizer.html
  # https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
  assert {
    condition     = !contains(keys(aws_cloudwatch_metric_alarm.function), "authorizer-errors") && contains(keys(aws_cloudwatch_metric_alarm.function), "authorizer-throttles")
    error_message = "no Lambda Errors alarm on the authorizer (rejected tokens are Lambda errors); its throttles are still alarmed"
  }

  assert {
    condition     = alltrue([for name in ["profiles", "transactions", "health"] : contains(keys(aws_cloudwatch_metric_alarm.function), "${name}-errors")])
    error_message = "the route functions keep their Errors alarms"
  }

  assert {
    condition = (
      aws_cloudwatch_metric_alarm.authorizer_failure.namespace == "Meridian/meridian-dev" &&
      aws_cloudwatch_metric_alarm.authorizer_failure.metric_name == "AuthorizerFailure" &&
      aws_cloudwatch_metric_alarm.authorizer_failure.dimensions["service"] == "authorizer" && length(aws_cloudwatch_metric_alarm.authorizer_failure.dimensions) == 1 &&
      aws_cloudwatch_metric_alarm.authorizer_failure.statistic == "Sum" &&
      aws_cloudwatch_metric_alarm.authorizer_failure.threshold == 0 &&
      aws_cloudwatch_metric_alarm.authorizer_failure.comparison_operator == "GreaterThanThreshold"
    )
    error_message = "the authorizer alarm fires on any AuthorizerFailure (Meridian/<name> namespace, service = authorizer)"
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.authorizer_failure.treat_missing_data == "notBreaching" && aws_cloudwatch_metric_alarm.authorizer_failure.alarm_actions == toset([aws_sns_topic.alarms.arn])
    error_message = "no data is healthy (EMF metrics exist only once emitted); the alarm notifies the region's topic"
  }
}

run "invalid_runtime_is_rejected" {
  command = plan

  module {
    source = "./modules/regional_api"
  }

  variables {
    lambda_runtime = "python3.9"
  }

  expect_failures = [var.lambda_runtime]
}

