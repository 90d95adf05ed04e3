locals {
  # Cold-start opt-ins (issue 15): a function with SnapStart or provisioned concurrency is published
  # and served through the alias `live`. SnapStart applies only to published versions ("you can't
  # use SnapStart on $LATEST") and provisioned concurrency only to a version or an alias, so API
  # Gateway must invoke the alias, and the permission must be granted on it:
  # https://docs.aws.amazon.com/lambda/latest/dg/snapstart.html,
  # https://docs.aws.amazon.com/lambda/latest/dg/provisioned-concurrency.html,
  # https://docs.aws.amazon.com/lambda/latest/dg/configuration-aliases.html
  alias_name = "live"
  # PutProvisionedConcurrencyConfig takes at least 1 on a version or alias: 0 means no
  # configuration at all (https://docs.aws.amazon.com/lambda/latest/dg/API_PutProvisionedConcurrencyConfig.html).
  provisioned_concurrency = {
    for function_name, count in var.lambda_provisioned_concurrency : function_name => count if count > 0
  }
  aliased_functions = setunion(var.lambda_snap_start_functions, keys(local.provisioned_concurrency))

  # What API Gateway invokes: the alias when there is one, else the unqualified function ($LATEST).
  function_invoke_arns = {
    for function_name, function in aws_lambda_function.function : function_name => (
      contains(local.aliased_functions, function_name) ? aws_lambda_alias.live[function_name].invoke_arn : function.invoke_arn
    ) if contains(keys(local.api_functions), function_name)
  }

  # The publisher batches stream records, so it has its own memory, timeout (beyond API Gateway's
  # 29 s) and reserved concurrency; the API functions share the stack-wide settings.
  publisher = var.transaction_events_publisher
  function_memory_mb = merge(
    { for function_name in keys(local.functions) : function_name => var.lambda_memory_mb },
    local.publisher == null ? {} : { transaction_events = local.publisher.memory_mb },
  )
  function_timeout_seconds = merge(
    { for function_name in keys(local.functions) : function_name => var.lambda_timeout_seconds },
    local.publisher == null ? {} : { transaction_events = local.publisher.timeout_seconds },
  )
  function_reserved_concurrency = merge(
    var.lambda_reserved_concurrency,
    local.publisher == null ? {} : { transaction_events = local.publisher.reserved_concurrency },
  )
}

resource "aws_cloudwatch_log_group" "function" {
  for_each = local.functions

  name              = "/${var.name}/lambda/${each.key}"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn
}

resource "aws_lambda_function" "function" {
  #checkov:skip=CKV_AWS_116: API functions are invoked synchronously (a DLQ only applies to asynchronous invocations); the publisher has one
  #checkov:skip=CKV_AWS_117: the functions only call AWS APIs (DynamoDB, Secrets Manager); no VPC resources to reach
  #checkov:skip=CKV_AWS_272: code signing needs a signer profile per account; zips are built deterministically in CI instead
  #checkov:skip=CKV_AWS_115: reserved concurrency is optional per function (var.lambda_reserved_concurrency); API throttling bounds load
  for_each = local.functions

  function_name    = "${var.name}-${each.key}"
  description      = "Meridian ${each.key} (${var.environment})"
  role             = aws_iam_role.function[each.key].arn
  handler          = each.value.handler
  runtime          = var.lambda_runtime
  architectures    = ["arm64"]
  filename         = "${var.lambda_package_dir}/${each.key}.zip"
  source_code_hash = filebase64sha256("${var.lambda_package_dir}/${each.key}.zip")
  memory_size      = local.function_memory_mb[each.key]
  timeout          = local.function_timeout_seconds[each.key]
  kms_key_arn      = var.kms_key_arn

  reserved_concurrent_executions = lookup(local.function_reserved_concurrency, each.key, -1)

  # The publisher's stream invocations use the mapping's on-failure queue; an asynchronous
  # invocation (an operator's `--invocation-type Event` replay) that fails every retry lands in
  # the same queue, with its payload (docs/operations.md, Events failure queue).
  dynamic "dead_letter_config" {
    for_each = each.key == "transaction_events" ? [local.publisher.failure_queue_arn] : []
    content {
      target_arn = dead_letter_config.value
    }
  }

  # A new version per code or configuration change, only for the opted-in functions; the others
  # stay unpublished, as before the opt-ins existed.
  publish = contains(local.aliased_functions, each.key)

  dynamic "snap_start" {
    for_each = contains(var.lambda_snap_start_functions, each.key) ? [true] : []
    content {
      # The only value AWS accepts: the snapshot is taken when a version is published.
      apply_on = "PublishedVersions"
    }
  }

  environment {
    variables = local.function_environment[each.key]
  }

  tracing_config {
    mode = "Active"
  }

  logging_config {
    log_format = "Text"
    log_group  = aws_cloudwatch_log_group.function[each.key].name
  }

  depends_on = [aws_iam_role_policy.function]
}

resource "aws_lambda_alias" "live" {
  for_each = local.aliased_functions

  name             = local.alias_name
  description      = "What API Gateway invokes: the latest published version (SnapStart / provisioned concurrency)."
  function_name    = aws_lambda_function.function[each.key].function_name
  function_version = aws_lambda_function.function[each.key].version
}

resource "aws_lambda_provisioned_concurrency_config" "live" {
  for_each = local.provisioned_concurrency

  function_name                     = aws_lambda_function.function[each.key].function_name
  qualifier                         = aws_lambda_alias.live[each.key].name
  provisioned_concurrent_executions = each.value
}

# API Gateway may invoke the route functions only through this API's stage, and the authorizer
# only as this API's authorizer. An aliased function's permission is granted on the alias (the
# qualifier): a resource-based policy statement applies to the version or alias it was added to.
resource "aws_lambda_permission" "api" {
  for_each = local.api_functions

  statement_id  = "AllowApiGatewayInvoke"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.function[each.key].function_name
  qualifier     = contains(local.aliased_functions, each.key) ? aws_lambda_alias.live[each.key].name : null
  principal     = "apigateway.amazonaws.com"
  source_arn = (each.key == "authorizer"
    ? "${aws_api_gateway_rest_api.api.execution_arn}/authorizers/*"
    : "${aws_api_gateway_rest_api.api.execution_arn}/${local.stage_name}/*"
  )
}
