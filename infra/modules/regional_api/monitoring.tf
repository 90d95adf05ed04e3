# This region's alarm topic (CloudWatch alarms can only notify a topic in their own region).
data "aws_iam_policy_document" "alarm_topic" {
  statement {
    sid       = "CloudWatchAlarms"
    actions   = ["sns:Publish"]
    resources = [aws_sns_topic.alarms.arn]

    principals {
      type        = "Service"
      identifiers = ["cloudwatch.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

resource "aws_sns_topic" "alarms" {
  name              = "${var.name}-alarms-${local.region}"
  kms_master_key_id = var.kms_key_arn
}

resource "aws_sns_topic_policy" "alarms" {
  arn    = aws_sns_topic.alarms.arn
  policy = data.aws_iam_policy_document.alarm_topic.json
}

resource "aws_sns_topic_subscription" "email" {
  for_each = var.alarm_emails

  topic_arn = aws_sns_topic.alarms.arn
  protocol  = "email"
  endpoint  = each.value
}

locals {
  alarm_actions  = [aws_sns_topic.alarms.arn]
  api_dimensions = { ApiName = aws_api_gateway_rest_api.api.name, Stage = local.stage_name }
}

resource "aws_cloudwatch_metric_alarm" "api_5xx_rate" {
  alarm_name          = "${var.name}-api-5xx-rate-${local.region}"
  alarm_description   = "More than ${var.alarm_api_5xx_rate_percent}% of API requests in ${local.region} failed with 5XX over 5 minutes."
  comparison_operator = "GreaterThanThreshold"
  evaluation_periods  = 1
  threshold           = var.alarm_api_5xx_rate_percent
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions

  metric_query {
    id          = "rate"
    expression  = "IF(requests > 0, 100 * errors / requests, 0)"
    label       = "5XX rate (%)"
    return_data = true
  }

  metric_query {
    id = "errors"
    metric {
      namespace   = "AWS/ApiGateway"
      metric_name = "5XXError"
      dimensions  = local.api_dimensions
      period      = 300
      stat        = "Sum"
    }
  }

  metric_query {
    id = "requests"
    metric {
      namespace   = "AWS/ApiGateway"
      metric_name = "Count"
      dimensions  = local.api_dimensions
      period      = 300
      stat        = "Sum"
    }
  }
}

resource "aws_cloudwatch_metric_alarm" "api_p99_latency" {
  alarm_name          = "${var.name}-api-p99-latency-${local.region}"
  alarm_description   = "API p99 latency in ${local.region} above ${var.alarm_api_p99_latency_ms} ms for 15 minutes."
  namespace           = "AWS/ApiGateway"
  metric_name         = "Latency"
  dimensions          = local.api_dimensions
  extended_statistic  = "p99"
  period              = 300
  evaluation_periods  = 3
  threshold           = var.alarm_api_p99_latency_ms
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
}

locals {
  # The authorizer has no Lambda Errors alarm: rejecting a token means raising "Unauthorized"
  # (the only way a Lambda authorizer makes API Gateway answer 401), which Lambda counts as an
  # error, so its Errors metric counts routine expired tokens
  # (https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-use-lambda-authorizer.html).
  # Its real failures are alarmed on below, through the AuthorizerFailure metric. The transaction
  # events publisher's alarms (Errors, IteratorAge, queue depths) live in modules/transaction_events.
  function_alarms = merge([
    for function_name in keys(local.api_functions) : merge(
      function_name == "authorizer" ? {} : {
        "${function_name}-errors" = { function = function_name, metric = "Errors", threshold = 5 }
      },
      { "${function_name}-throttles" = { function = function_name, metric = "Throttles", threshold = 0 } },
    )
  ]...)
}

# The authorizer's own signal of failure: it emits AuthorizerFailure (Powertools EMF, namespace
# Meridian/<name>, dimension service = authorizer) when a dependency (JWKS, Secrets Manager) is down or
# something unexpected breaks, and fails the request with AUTHORIZER_FAILURE (503), never 401.
# Bad tokens emit TokenRejected instead and raise no alarm. EMF metrics exist only once emitted,
# so "no data" is healthy.
# https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
resource "aws_cloudwatch_metric_alarm" "authorizer_failure" {
  alarm_name          = "${var.name}-authorizer-failure-${local.region}"
  alarm_description   = "The authorizer in ${local.region} could not decide (dependency outage or unexpected error): callers get 503 SERVICE_UNAVAILABLE."
  namespace           = local.metrics_namespace
  metric_name         = "AuthorizerFailure"
  dimensions          = { service = "authorizer" }
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
}

resource "aws_cloudwatch_metric_alarm" "function" {
  for_each = local.function_alarms

  alarm_name          = "${var.name}-lambda-${each.key}-${local.region}"
  alarm_description   = "Lambda ${each.value.function} ${lower(each.value.metric)} in ${local.region} above ${each.value.threshold} in 5 minutes."
  namespace           = "AWS/Lambda"
  metric_name         = each.value.metric
  dimensions          = { FunctionName = aws_lambda_function.function[each.value.function].function_name }
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  threshold           = each.value.threshold
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
}

resource "aws_cloudwatch_metric_alarm" "table" {
  for_each = {
    read-throttles  = { metric = "ReadThrottleEvents", dimensions = { TableName = var.table_name }, statistic = "Sum", threshold = 0 }
    write-throttles = { metric = "WriteThrottleEvents", dimensions = { TableName = var.table_name }, statistic = "Sum", threshold = 0 }
    # Published in the region the write came from, per receiving region.
    replication-latency = { metric = "ReplicationLatency", dimensions = { TableName = var.table_name, ReceivingRegion = var.peer_region }, statistic = "Average", threshold = var.alarm_replication_latency_ms }
  }

  alarm_name          = "${var.name}-dynamodb-${each.key}-${local.region}"
  alarm_description   = "DynamoDB ${each.value.metric} of ${var.table_name} in ${local.region} above ${each.value.threshold}."
  namespace           = "AWS/DynamoDB"
  metric_name         = each.value.metric
  dimensions          = each.value.dimensions
  statistic           = each.value.statistic
  period              = 300
  evaluation_periods  = 1
  threshold           = each.value.threshold
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
}

# X-Ray: sample this environment's API traffic (1 request per second, then a fraction) and
# group its traces for the service map.
resource "aws_xray_sampling_rule" "api" {
  rule_name      = var.name
  priority       = 1000
  version        = 1
  reservoir_size = 1
  fixed_rate     = var.xray_sampling_rate
  host           = "*"
  http_method    = "*"
  url_path       = "*"
  service_name   = "${aws_api_gateway_rest_api.api.name}/${local.stage_name}"
  service_type   = "*"
  resource_arn   = "*"
}

resource "aws_xray_group" "api" {
  group_name        = var.name
  filter_expression = "service(\"${aws_api_gateway_rest_api.api.name}/${local.stage_name}\") OR annotation.service = \"${var.name}\""

  insights_configuration {
    insights_enabled      = true
    notifications_enabled = false
  }
}
