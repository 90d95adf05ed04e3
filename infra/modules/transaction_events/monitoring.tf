# Alarms notify this region's alarm topic (modules/regional_api), like every regional alarm.
locals {
  alarm_actions = [var.alarm_topic_arn]

  queue_alarms = {
    failure-queue = {
      queue       = aws_sqs_queue.failure.name
      description = "Stream records in ${local.region} could not be published after every retry: their invocation records wait in ${aws_sqs_queue.failure.name}. Replay them within the stream's 24 h retention (docs/operations.md, Events failure queue)."
    }
    subscriber-dlq = {
      queue       = aws_sqs_queue.subscriber_dlq.name
      description = "The reference subscriber in ${local.region} failed events repeatedly: they wait in ${aws_sqs_queue.subscriber_dlq.name} (docs/operations.md, Events subscriber DLQ)."
    }
  }
}

# IteratorAge: how far behind the stream the publisher is (age of the last record of each batch).
# Maximum, not Average: one stuck shard is the problem.
# https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html#event-source-mapping-metrics
resource "aws_cloudwatch_metric_alarm" "iterator_age" {
  alarm_name          = "${var.name}-transaction-events-iterator-age-${local.region}"
  alarm_description   = "The transaction events publisher in ${local.region} is more than ${var.alarm_iterator_age_ms} ms behind its stream: events are late (docs/operations.md, Events iterator age)."
  namespace           = "AWS/Lambda"
  metric_name         = "IteratorAge"
  dimensions          = { FunctionName = aws_lambda_function.publisher.function_name }
  statistic           = "Maximum"
  period              = 300
  evaluation_periods  = 1
  threshold           = var.alarm_iterator_age_ms
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
}

# Errors counts whole failed invocations (every record of a batch failed, or a crash); partial
# batch failures are retried records and show in IteratorAge instead.
resource "aws_cloudwatch_metric_alarm" "publisher_errors" {
  alarm_name          = "${var.name}-transaction-events-errors-${local.region}"
  alarm_description   = "The transaction events publisher in ${local.region} failed whole batches (SNS or KMS unavailable, or a bug) in the last 5 minutes."
  namespace           = "AWS/Lambda"
  metric_name         = "Errors"
  dimensions          = { FunctionName = aws_lambda_function.publisher.function_name }
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
}

# Any message at all is an alarm: each one stands for events that did not reach subscribers.
resource "aws_cloudwatch_metric_alarm" "queue_depth" {
  for_each = local.queue_alarms

  alarm_name          = "${var.name}-transaction-events-${each.key}-${local.region}"
  alarm_description   = each.value.description
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateNumberOfMessagesVisible"
  dimensions          = { QueueName = each.value.queue }
  statistic           = "Maximum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
}

locals {
  # Widgets for the stack dashboard (modules/observability appends them): events published per
  # minute, publish latency p50/p99 (Powertools EMF metrics, dimension service), IteratorAge.
  metric_dimension = ["service", local.function_key]
  dashboard_widgets = [
    {
      type   = "metric"
      width  = 8
      height = 6
      properties = {
        title   = "Events published per minute (${local.region})"
        region  = local.region
        stat    = "Sum"
        period  = 60
        view    = "timeSeries"
        metrics = [concat([local.metrics_namespace, "EventsPublished"], local.metric_dimension)]
      }
    },
    {
      type   = "metric"
      width  = 8
      height = 6
      properties = {
        title  = "Event publish latency p50 / p99, ms (${local.region})"
        region = local.region
        period = 60
        view   = "timeSeries"
        metrics = [
          concat([local.metrics_namespace, "EventPublishLatency"], local.metric_dimension, [{ stat = "p50" }]),
          ["...", { stat = "p99" }],
        ]
      }
    },
    {
      type   = "metric"
      width  = 8
      height = 6
      properties = {
        title   = "Events stream IteratorAge max, ms (${local.region})"
        region  = local.region
        stat    = "Maximum"
        period  = 60
        view    = "timeSeries"
        metrics = [["AWS/Lambda", "IteratorAge", "FunctionName", aws_lambda_function.publisher.function_name]]
      }
    },
  ]
}
