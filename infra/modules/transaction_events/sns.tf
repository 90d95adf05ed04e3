# The events topic, encrypted with this region's stack key. A publisher needs kms:GenerateDataKey
# and kms:Decrypt on it (the publisher role grants both, through SNS only):
# https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html
resource "aws_sns_topic" "events" {
  name              = local.topic_name
  kms_master_key_id = var.kms_key_arn
}

# Least privilege on the topic itself: only this region's publisher role may publish, and only
# SQS queues of this account may be subscribed (the reference subscriber below; further
# subscribers are added here deliberately, never by anyone holding sns:Subscribe).
data "aws_iam_policy_document" "topic" {
  statement {
    sid       = "PublisherOnly"
    actions   = ["sns:Publish"]
    resources = [aws_sns_topic.events.arn]

    principals {
      type        = "AWS"
      identifiers = [aws_iam_role.publisher.arn]
    }
  }

  statement {
    sid       = "NobodyElsePublishes"
    effect    = "Deny"
    actions   = ["sns:Publish"]
    resources = [aws_sns_topic.events.arn]

    principals {
      type        = "AWS"
      identifiers = ["*"]
    }

    condition {
      test     = "ArnNotEquals"
      variable = "aws:PrincipalArn"
      values   = [aws_iam_role.publisher.arn]
    }
  }

  statement {
    sid       = "SubscribeOnlyTheSubscriberQueue"
    effect    = "Deny"
    actions   = ["sns:Subscribe"]
    resources = [aws_sns_topic.events.arn]

    principals {
      type        = "AWS"
      identifiers = ["*"]
    }

    # sns:Endpoint is the subscription's endpoint (the queue ARN for protocol sqs):
    # https://docs.aws.amazon.com/sns/latest/dg/sns-using-identity-based-policies.html#sns-policy-keys
    condition {
      test     = "StringNotEquals"
      variable = "sns:Endpoint"
      values   = [aws_sqs_queue.subscriber.arn]
    }
  }

  statement {
    sid       = "EncryptedTransportOnly"
    effect    = "Deny"
    actions   = ["sns:Publish"]
    resources = [aws_sns_topic.events.arn]

    principals {
      type        = "AWS"
      identifiers = ["*"]
    }

    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_sns_topic_policy" "events" {
  arn    = aws_sns_topic.events.arn
  policy = data.aws_iam_policy_document.topic.json
}
