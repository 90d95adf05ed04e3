# API Gateway's CloudWatch Logs role is ONE setting per account and Region (UpdateAccount,
# cloudwatchRoleArn): every REST API of every stack in that Region logs through it. "To avoid
# overwriting other roles, you should only have one AWS::ApiGateway::Account resource per region per
# account" (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-apigateway-account.html).
# When each environment set it, every apply overwrote it and destroying a pr123 environment left
# the account pointing at a deleted role: execution and access logging stopped for every stack in
# the Region, prod included. This root module owns it instead, applied once per account and Region
# before any environment; the environments never touch it (tests/infra/test_account_settings.py).
#
# Stage access logging and execution logging both need it: without the role API Gateway refuses to
# enable logging on a stage ("CloudWatch Logs role ARN must be set in account settings to enable
# logging", https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-logging.html).
data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition
  region     = data.aws_region.current.name
  log_groups = "arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group"
}

data "aws_iam_policy_document" "assume_role" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["apigateway.amazonaws.com"]
    }

    # Only API Gateway acting for this account may use the role (confused-deputy protection).
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

# What AmazonAPIGatewayPushToCloudWatchLogs grants, narrowed to this Region and to the log groups
# Meridian's stacks use: API Gateway's execution log groups and the `/<project>-<env>/...` access
# log groups.
data "aws_iam_policy_document" "cloudwatch" {
  statement {
    sid       = "DescribeLogGroups"
    actions   = ["logs:DescribeLogGroups"]
    resources = ["${local.log_groups}:*"]
  }

  statement {
    sid = "WriteApiLogs"
    actions = [
      "logs:CreateLogGroup",
      "logs:CreateLogStream",
      "logs:DescribeLogStreams",
      "logs:FilterLogEvents",
      "logs:GetLogEvents",
      "logs:PutLogEvents",
    ]
    resources = [
      "${local.log_groups}:API-Gateway-Execution-Logs_*",
      "${local.log_groups}:/${var.project}-*",
    ]
  }
}

# IAM is global: one role per Region this module is applied in.
resource "aws_iam_role" "cloudwatch" {
  name               = "${var.project}-apigw-cloudwatch-${local.region}"
  description        = "API Gateway execution and access logs of every ${var.project} stack in ${local.region} (account setting)"
  assume_role_policy = data.aws_iam_policy_document.assume_role.json
}

resource "aws_iam_role_policy" "cloudwatch" {
  name   = "api-gateway-logs"
  role   = aws_iam_role.cloudwatch.id
  policy = data.aws_iam_policy_document.cloudwatch.json
}

resource "aws_api_gateway_account" "this" {
  cloudwatch_role_arn = aws_iam_role.cloudwatch.arn

  depends_on = [aws_iam_role_policy.cloudwatch]
}
