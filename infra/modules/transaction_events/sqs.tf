# The queues, all encrypted with this region's stack key. SNS writes to the KMS-encrypted
# subscriber queue, so the key policy lets sns.amazonaws.com use the key (modules/kms):
# https://docs.aws.amazon.com/sns/latest/dg/sns-enable-encryption-for-topic-sqs-queue-subscriptions.html
locals {
  # 14 days, SQS's maximum: a failure record or an undeliverable event waits for an operator.
  queue_retention_seconds = 1209600
}

# On-failure destination of the event source mapping. It receives an invocation record (shard id,
# first/last sequence numbers, approximate arrival times), not the items: the records are replayed
# from the stream within its 24 h retention (docs/operations.md, "Events failure queue").
# A Standard queue: Lambda's stream on-failure destinations are an SQS queue or SNS topic.
# https://docs.aws.amazon.com/lambda/latest/dg/services-dynamodb-errors.html
resource "aws_sqs_queue" "failure" {
  name                              = "${var.name}-transaction-events-failed"
  message_retention_seconds         = local.queue_retention_seconds
  kms_master_key_id                 = var.kms_key_arn
  kms_data_key_reuse_period_seconds = 300
}

resource "aws_sqs_queue" "subscriber_dlq" {
  name                              = "${var.name}-transaction-events-subscriber-dlq"
  message_retention_seconds         = local.queue_retention_seconds
  kms_master_key_id                 = var.kms_key_arn
  kms_data_key_reuse_period_seconds = 300
}

# The reference subscriber: what a downstream service (ledger, fraud checks) would own. The smoke
# journey and the e2e suite read the events from it.
resource "aws_sqs_queue" "subscriber" {
  name                              = "${var.name}-transaction-events-subscriber"
  message_retention_seconds         = local.queue_retention_seconds
  kms_master_key_id                 = var.kms_key_arn
  kms_data_key_reuse_period_seconds = 300
  # A consumer that fails a message this many times leaves it in the DLQ instead of looping.
  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.subscriber_dlq.arn
    maxReceiveCount     = var.subscriber_max_receive_count
  })
}

resource "aws_sqs_queue_redrive_allow_policy" "subscriber_dlq" {
  queue_url = aws_sqs_queue.subscriber_dlq.id
  redrive_allow_policy = jsonencode({
    redrivePermission = "byQueue"
    sourceQueueArns   = [aws_sqs_queue.subscriber.arn]
  })
}

# Only this topic may send to the subscriber queue (aws:SourceArn), the AWS-documented form:
# https://docs.aws.amazon.com/sns/latest/dg/subscribe-sqs-queue-to-sns-topic.html
data "aws_iam_policy_document" "subscriber" {
  statement {
    sid       = "EventsTopicOnly"
    actions   = ["sqs:SendMessage"]
    resources = [aws_sqs_queue.subscriber.arn]

    principals {
      type        = "Service"
      identifiers = ["sns.amazonaws.com"]
    }

    condition {
      test     = "ArnEquals"
      variable = "aws:SourceArn"
      values   = [aws_sns_topic.events.arn]
    }
  }
}

resource "aws_sqs_queue_policy" "subscriber" {
  queue_url = aws_sqs_queue.subscriber.id
  policy    = data.aws_iam_policy_document.subscriber.json
}

# Raw delivery: the queue holds the event JSON itself (no SNS envelope), and the filter policy
# matches the message attributes the publisher sets (event_type, currency, type).
# https://docs.aws.amazon.com/sns/latest/dg/sns-large-payload-raw-message-delivery.html
resource "aws_sns_topic_subscription" "subscriber" {
  topic_arn            = aws_sns_topic.events.arn
  protocol             = "sqs"
  endpoint             = aws_sqs_queue.subscriber.arn
  raw_message_delivery = true
  filter_policy_scope  = "MessageAttributes"
  filter_policy        = var.subscriber_filter_policy

  depends_on = [aws_sqs_queue_policy.subscriber]
}
