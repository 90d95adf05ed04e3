resource "aws_cloudwatch_log_group" "function" {
  for_each = local.functions

  name              = "/${var.name}/lambda/${each.key}"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn
}

resource "aws_lambda_function" "function" {
  #checkov:skip=CKV_AWS_116: invoked synchronously by API Gateway; a DLQ only applies to asynchronous invocations
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
  memory_size      = var.lambda_memory_mb
  timeout          = var.lambda_timeout_seconds
  kms_key_arn      = var.kms_key_arn

  reserved_concurrent_executions = lookup(var.lambda_reserved_concurrency, each.key, -1)

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

# API Gateway may invoke the route functions only through this API's stage, and the authorizer
# only as this API's authorizer.
resource "aws_lambda_permission" "api" {
  for_each = local.functions

  statement_id  = "AllowApiGatewayInvoke"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.function[each.key].function_name
  principal     = "apigateway.amazonaws.com"
  source_arn = (each.key == "authorizer"
    ? "${aws_api_gateway_rest_api.api.execution_arn}/authorizers/*"
    : "${aws_api_gateway_rest_api.api.execution_arn}/${local.stage_name}/*"
  )
}
