# The queues, all encrypted with this region's stack key. SNS writes to the KMS-encrypted
# subscriber queue, so the key policy lets sns.amazonaws.com use the key (modules/kms):
# https://docs.aws.amazon.com/sns/latest/dg/sns-enable-encryption-for-topic-sqs-queue-subscriptions.html
data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

locals {
  # 14 days, SQS's maximum: a failure record or an undeliverable event waits for an operator.
  queue_retention_seconds = 1209600

  # The subscriber queue's policy names the queue itself, and a resource cannot reference its own
  # arn attribute: its ARN is built from its name, in the documented SQS ARN format
  # arn:partition:sqs:region:account-id:queue-name
  # (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonsqs.html#amazonsqs-resources-for-iam-policies).
  subscriber_queue_name = "${var.name}-transaction-events-subscriber"
  subscriber_queue_arn = join(":", [
    "arn", data.aws_partition.current.partition, "sqs", local.region,
    data.aws_caller_identity.current.account_id, local.subscriber_queue_name,
  ])
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
# Its policy is set by CreateQueue itself (the Policy attribute,
# https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_CreateQueue.html), not
# by a separate aws_sqs_queue_policy: the provider waits for every SQS attribute change to read
# back equal 6 times 5 s apart (internal/service/sqs), so the separate resource added ~25 s to
# every apply's critical path (DLQ -> queue -> policy -> subscription), on AWS as on the devstack.
# The document sets Version 2012-10-17 (aws_iam_policy_document does), which the provider's
# aws_sqs_queue docs require for an inline policy.
resource "aws_sqs_queue" "subscriber" {
  name                              = local.subscriber_queue_name
  message_retention_seconds         = local.queue_retention_seconds
  kms_master_key_id                 = var.kms_key_arn
  kms_data_key_reuse_period_seconds = 300
  # A consumer that fails a message this many times leaves it in the DLQ instead of looping.
  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.subscriber_dlq.arn
    maxReceiveCount     = var.subscriber_max_receive_count
  })
  policy = data.aws_iam_policy_document.subscriber.json
}

# Only this topic may send to the subscriber queue (aws:SourceArn), the AWS-documented form:
# https://docs.aws.amazon.com/sns/latest/dg/subscribe-sqs-queue-to-sns-topic.html
data "aws_iam_policy_document" "subscriber" {
  statement {
    sid       = "EventsTopicOnly"
    actions   = ["sqs:SendMessage"]
    resources = [local.subscriber_queue_arn]

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
}

# Stacks applied before the policy moved into the queue: forget the old policy resource without
# deleting it (its delete would clear the very policy the queue now sets), the queue owns it.
# https://developer.hashicorp.com/terraform/language/resources/syntax#removing-resources
removed {
  from = aws_sqs_queue_policy.subscriber

  lifecycle {
    destroy = false
  }
}
