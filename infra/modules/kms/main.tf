# One customer-managed, multi-region key per region: the primary key in the primary region and a
# replica (same key material and id) in the secondary region, one instance of this module each.
# It encrypts that region's table copy, secret copy, log groups, alarm topic and function
# environments.
data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition
  regions    = [data.aws_region.current.name]
  key_arn    = !var.replica ? aws_kms_key.primary[0].arn : aws_kms_replica_key.replica[0].arn
  key_id     = !var.replica ? aws_kms_key.primary[0].key_id : aws_kms_replica_key.replica[0].key_id

  # Key administration and use by principals of this account (their IAM policies decide who).
  # Listed explicitly: no `kms:*`.
  account_actions = [
    "kms:CancelKeyDeletion",
    "kms:CreateAlias",
    "kms:CreateGrant",
    "kms:Decrypt",
    "kms:DeleteAlias",
    "kms:DescribeKey",
    "kms:DisableKey",
    "kms:DisableKeyRotation",
    "kms:EnableKey",
    "kms:EnableKeyRotation",
    "kms:Encrypt",
    "kms:GenerateDataKey",
    "kms:GenerateDataKeyWithoutPlaintext",
    "kms:GetKeyPolicy",
    "kms:GetKeyRotationStatus",
    "kms:ListGrants",
    "kms:ListKeyPolicies",
    "kms:ListResourceTags",
    "kms:PutKeyPolicy",
    "kms:ReEncryptFrom",
    "kms:ReEncryptTo",
    "kms:ReplicateKey",
    "kms:RetireGrant",
    "kms:RevokeGrant",
    "kms:ScheduleKeyDeletion",
    "kms:SynchronizeMultiRegionKey",
    "kms:TagResource",
    "kms:UntagResource",
    "kms:UpdateAlias",
    "kms:UpdateKeyDescription",
    "kms:UpdatePrimaryRegion",
  ]
}

# In a key policy, Resource "*" means "this key" (the key's ARN does not exist before the key);
# it grants nothing on any other resource.
data "aws_iam_policy_document" "key" {
  #checkov:skip=CKV_AWS_111: a key policy's Resource "*" is the key itself; write actions are limited to this account and two services
  #checkov:skip=CKV_AWS_356: a key policy's Resource "*" is the key itself (its ARN does not exist before the key)
  statement {
    sid       = "AccountAdministrationAndUse"
    actions   = local.account_actions
    resources = ["*"]

    principals {
      type        = "AWS"
      identifiers = ["arn:${local.partition}:iam::${local.account_id}:root"]
    }
  }

  statement {
    sid = "CloudWatchLogsEncryption"
    actions = [
      "kms:Decrypt",
      "kms:DescribeKey",
      "kms:Encrypt",
      "kms:GenerateDataKey",
      "kms:GenerateDataKeyWithoutPlaintext",
      "kms:ReEncryptFrom",
      "kms:ReEncryptTo",
    ]
    resources = ["*"]

    principals {
      type        = "Service"
      identifiers = [for region in local.regions : "logs.${region}.amazonaws.com"]
    }

    condition {
      test     = "ArnLike"
      variable = "kms:EncryptionContext:aws:logs:arn"
      values = flatten([for region in local.regions : [
        "arn:${local.partition}:logs:${region}:${local.account_id}:log-group:/${var.name}/*",
        "arn:${local.partition}:logs:${region}:${local.account_id}:log-group:aws-waf-logs-${var.name}-*",
        "arn:${local.partition}:logs:${region}:${local.account_id}:log-group:API-Gateway-Execution-Logs_*",
      ]])
    }
  }

  # CloudWatch alarms publish to the KMS-encrypted alarm topics.
  statement {
    sid       = "CloudWatchAlarmsToEncryptedTopics"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = ["*"]

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

  # SNS delivers transaction events into the KMS-encrypted subscriber queue (modules/
  # transaction_events): it needs a data key of the queue's key, granted only for this account's
  # topics. https://docs.aws.amazon.com/sns/latest/dg/sns-enable-encryption-for-topic-sqs-queue-subscriptions.html
  statement {
    sid       = "SnsToEncryptedQueues"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = ["*"]

    principals {
      type        = "Service"
      identifiers = ["sns.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

resource "aws_kms_key" "primary" {
  count = var.replica ? 0 : 1

  description             = "${var.name}: table, secret, logs and alarm topics"
  multi_region            = true
  enable_key_rotation     = true
  deletion_window_in_days = var.deletion_window_days
  policy                  = data.aws_iam_policy_document.key.json
}

resource "aws_kms_replica_key" "replica" {
  count = var.replica ? 1 : 0

  description             = "${var.name}: table, secret, logs and alarm topics (replica)"
  primary_key_arn         = var.replicate_key_arn
  deletion_window_in_days = var.deletion_window_days
  policy                  = data.aws_iam_policy_document.key.json
}

resource "aws_kms_alias" "key" {
  name          = "alias/${var.name}"
  target_key_id = local.key_id
}
