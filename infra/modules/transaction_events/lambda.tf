resource "aws_cloudwatch_log_group" "publisher" {
  name              = "/${var.name}/lambda/${local.function_key}"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn
}

data "aws_iam_policy_document" "lambda_assume_role" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

resource "aws_iam_role" "publisher" {
  # IAM is global: the region keeps the two regional copies apart.
  name               = "${var.name}-${local.function_key}-${local.region}"
  description        = "Meridian transaction events publisher in ${local.region}"
  assume_role_policy = data.aws_iam_policy_document.lambda_assume_role.json
}

locals {
  # Exact actions on exact ARNs of this region. The event source mapping reads the stream with
  # the function's role (DescribeStream, GetRecords, GetShardIterator, ListStreams) and sends the
  # on-failure record with it too (sqs:SendMessage):
  # https://docs.aws.amazon.com/lambda/latest/dg/with-ddb.html#events-dynamodb-permissions
  # ListStreams has no resource-level permission, hence its "*" (like X-Ray's).
  publisher_statements = [
    {
      sid       = "ThisRegionsTableStream"
      actions   = ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"]
      resources = ["${local.table_arn}/stream/*"]
      condition = null
    },
    {
      sid       = "ListStreams"
      actions   = ["dynamodb:ListStreams"]
      resources = ["*"]
      condition = null
    },
    {
      sid       = "PublishEvents"
      actions   = ["sns:Publish"]
      resources = [aws_sns_topic.events.arn]
      condition = null
    },
    {
      sid       = "FailureQueue"
      actions   = ["sqs:SendMessage"]
      resources = [aws_sqs_queue.failure.arn]
      condition = null
    },
    # The stream records are encrypted with the table's key; publishing to the encrypted topic
    # and sending to the encrypted failure queue need a data key. Only through those services.
    {
      sid       = "StackKeyThroughServices"
      actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
      resources = [var.kms_key_arn]
      condition = {
        test     = "StringEquals"
        variable = "kms:ViaService"
        values   = ["dynamodb.${local.region}.amazonaws.com", "sns.${local.region}.amazonaws.com", "sqs.${local.region}.amazonaws.com"]
      }
    },
    {
      sid       = "OwnLogGroup"
      actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
      resources = ["${aws_cloudwatch_log_group.publisher.arn}:log-stream:*"]
      condition = null
    },
    {
      sid       = "XRayTraces"
      actions   = ["xray:PutTelemetryRecords", "xray:PutTraceSegments"]
      resources = ["*"]
      condition = null
    },
  ]
}

data "aws_iam_policy_document" "publisher" {
  dynamic "statement" {
    for_each = local.publisher_statements
    content {
      sid       = statement.value.sid
      actions   = statement.value.actions
      resources = statement.value.resources

      dynamic "condition" {
        for_each = statement.value.condition == null ? [] : [statement.value.condition]
        content {
          test     = condition.value.test
          variable = condition.value.variable
          values   = condition.value.values
        }
      }
    }
  }
}

resource "aws_iam_role_policy" "publisher" {
  name   = "${var.name}-${local.function_key}"
  role   = aws_iam_role.publisher.id
  policy = data.aws_iam_policy_document.publisher.json
}

resource "aws_lambda_function" "publisher" {
  #checkov:skip=CKV_AWS_117: the publisher only calls AWS APIs (DynamoDB Streams, SNS, SQS); no VPC resources to reach, like the API functions
  #checkov:skip=CKV_AWS_272: code signing needs a signer profile per account; zips are built deterministically in CI instead, like the API functions
  function_name    = local.function_name
  description      = "Meridian transaction events publisher (${var.environment})"
  role             = aws_iam_role.publisher.arn
  handler          = "meridian.handlers.transaction_events.handler"
  runtime          = var.lambda_runtime
  architectures    = ["arm64"]
  filename         = "${var.lambda_package_dir}/${local.function_key}.zip"
  source_code_hash = filebase64sha256("${var.lambda_package_dir}/${local.function_key}.zip")
  memory_size      = var.lambda_memory_mb
  timeout          = var.lambda_timeout_seconds
  kms_key_arn      = var.kms_key_arn

  # The publisher's own pool: its stream invocations (one per shard and parallelization factor)
  # can never starve the API functions of the Region's shared concurrency, nor be starved by them.
  # Too low only delays events (throttled batches are retried; IteratorAge alarms).
  reserved_concurrent_executions = var.reserved_concurrency

  # Stream invocations are synchronous and use the mapping's on-failure queue; an asynchronous
  # invocation (an operator's `--invocation-type Event` replay) that fails every retry lands in the
  # same queue, with its payload (docs/operations.md, Events failure queue).
  dead_letter_config {
    target_arn = aws_sqs_queue.failure.arn
  }

  environment {
    variables = {
      ENVIRONMENT                  = var.environment
      LOG_LEVEL                    = var.log_level
      POWERTOOLS_SERVICE_NAME      = local.function_key
      POWERTOOLS_METRICS_NAMESPACE = local.metrics_namespace
      EVENTS_TOPIC_ARN             = aws_sns_topic.events.arn
    }
  }

  tracing_config {
    mode = var.xray_enabled ? "Active" : "PassThrough"
  }

  logging_config {
    log_format = "Text"
    log_group  = aws_cloudwatch_log_group.publisher.name
  }

  depends_on = [aws_iam_role_policy.publisher]
}

# This region's stream → the publisher. Failure handling, in order (docs/operations.md):
# - a record that fails is reported in batchItemFailures (ReportBatchItemFailures); Lambda
#   retries from it, and bisects the batch when the whole invocation fails;
# - after maximum_retry_attempts or maximum_record_age_in_seconds the failed records' invocation
#   record goes to the failure queue and the shard moves on (a poison record never blocks it);
# https://docs.aws.amazon.com/lambda/latest/dg/services-ddb-batchfailurereporting.html
# https://docs.aws.amazon.com/lambda/latest/dg/services-dynamodb-errors.html
# TRIM_HORIZON: a mapping created (or re-created) after writes already happened still publishes
# them, where LATEST would silently skip them; the price is a replay of up to 24 h of records on
# re-creation, which subscribers absorb by deduplicating on event_id.
resource "aws_lambda_event_source_mapping" "stream" {
  event_source_arn                   = var.stream_arn
  function_name                      = aws_lambda_function.publisher.arn
  starting_position                  = "TRIM_HORIZON"
  batch_size                         = var.batch_size
  maximum_batching_window_in_seconds = var.maximum_batching_window_seconds
  parallelization_factor             = var.parallelization_factor
  bisect_batch_on_function_error     = true
  maximum_retry_attempts             = var.maximum_retry_attempts
  maximum_record_age_in_seconds      = var.maximum_record_age_seconds
  function_response_types            = ["ReportBatchItemFailures"]

  filter_criteria {
    filter {
      pattern = jsonencode(local.filter_pattern)
    }
  }

  destination_config {
    on_failure {
      destination_arn = aws_sqs_queue.failure.arn
    }
  }
}
