locals {
  kms_via_dynamodb = { test = "StringEquals", variable = "kms:ViaService", values = ["dynamodb.${local.region}.amazonaws.com"] }
  kms_via_secrets  = { test = "StringEquals", variable = "kms:ViaService", values = ["secretsmanager.${local.region}.amazonaws.com"] }

  table_kms_statement = {
    sid       = "TableKey"
    actions   = ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey"]
    resources = [var.kms_key_arn]
    condition = local.kms_via_dynamodb
  }

  # Every statement each function's role gets: exact actions on exact ARNs of this region.
  # X-Ray trace upload has no resource-level permissions, so it is the only "*" resource.
  function_statements = {
    for function_name in keys(local.functions) : function_name => concat(
      [
        {
          sid       = "OwnLogGroup"
          actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
          resources = ["${aws_cloudwatch_log_group.function[function_name].arn}:log-stream:*"]
          condition = null
        },
        {
          sid       = "XRayTraces"
          actions   = ["xray:PutTelemetryRecords", "xray:PutTraceSegments"]
          resources = ["*"]
          condition = null
        },
      ],
      lookup(merge(local.function_specific_statements, local.publisher_statements), function_name, []),
    )
  }

  # The transaction events publisher. The event source mapping reads the stream with the
  # function's role (DescribeStream, GetRecords, GetShardIterator, ListStreams) and sends the
  # on-failure record with it too (sqs:SendMessage):
  # https://docs.aws.amazon.com/lambda/latest/dg/with-ddb.html#events-dynamodb-permissions
  # ListStreams has no resource-level permission, hence its "*" (like X-Ray's).
  publisher_statements = var.transaction_events_publisher == null ? {} : {
    transaction_events = [
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
        resources = [var.transaction_events_publisher.topic_arn]
        condition = null
      },
      {
        sid       = "FailureQueue"
        actions   = ["sqs:SendMessage"]
        resources = [var.transaction_events_publisher.failure_queue_arn]
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
    ]
  }

  function_specific_statements = {
    profiles = [
      {
        sid = "Table"
        actions = [
          "dynamodb:BatchWriteItem",
          "dynamodb:ConditionCheckItem",
          "dynamodb:DeleteItem",
          "dynamodb:GetItem",
          "dynamodb:PutItem",
          "dynamodb:Query",
          "dynamodb:UpdateItem",
        ]
        resources = [local.table_arn]
        condition = null
      },
      local.table_kms_statement,
    ]
    transactions = [
      {
        sid = "Table"
        # A create is one TransactWriteItems of Puts and a ConditionCheck, which IAM authorizes
        # per action as PutItem and ConditionCheckItem
        # (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis-iam.html);
        # reads are GetItem and Query. Nothing here updates or deletes an item.
        actions = [
          "dynamodb:ConditionCheckItem",
          "dynamodb:GetItem",
          "dynamodb:PutItem",
          "dynamodb:Query",
        ]
        resources = [local.table_arn]
        condition = null
      },
      local.table_kms_statement,
    ]
    health = [
      {
        sid       = "Table"
        actions   = ["dynamodb:DescribeTable", "dynamodb:GetItem"]
        resources = [local.table_arn]
        condition = null
      },
      local.table_kms_statement,
    ]
    authorizer = [
      # Every partner key secret of this stack in this region, by name prefix: Secrets Manager
      # appends "-" and six random characters to a secret's name in its ARN, hence the trailing *
      # (https://docs.aws.amazon.com/secretsmanager/latest/userguide/auth-and-access_iam-policies.html).
      # Adding or removing a partner key needs no policy change.
      {
        sid       = "PartnerSigningKeys"
        actions   = ["secretsmanager:GetSecretValue"]
        resources = ["arn:${local.partition}:secretsmanager:${local.region}:${local.account_id}:secret:${var.partner_key_secret_prefix}*"]
        condition = null
      },
      {
        sid       = "SecretKey"
        actions   = ["kms:Decrypt"]
        resources = [var.kms_key_arn]
        condition = local.kms_via_secrets
      },
    ]
  }
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

resource "aws_iam_role" "function" {
  for_each = local.functions

  # IAM is global: the region keeps the two regional copies apart.
  name               = "${var.name}-${each.key}-${local.region}"
  description        = "Meridian ${each.key} function in ${local.region}"
  assume_role_policy = data.aws_iam_policy_document.lambda_assume_role.json
}

data "aws_iam_policy_document" "function" {
  for_each = local.function_statements

  dynamic "statement" {
    for_each = each.value
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

resource "aws_iam_role_policy" "function" {
  for_each = local.functions

  name   = "${var.name}-${each.key}"
  role   = aws_iam_role.function[each.key].id
  policy = data.aws_iam_policy_document.function[each.key].json
}

# API Gateway's CloudWatch role is an account-and-region-wide setting (aws_api_gateway_account):
# it lives in the infra/account root module, applied once per account and region, never here.
