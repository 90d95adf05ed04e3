# The account-and-region-wide API Gateway CloudWatch role, planned with a mock provider.
mock_provider "aws" {
  override_during = plan

  mock_data "aws_caller_identity" {
    defaults = {
      account_id = "123456789012"
    }
  }

  mock_data "aws_partition" {
    defaults = {
      partition = "aws"
    }
  }

  mock_data "aws_region" {
    defaults = {
      name = "us-west-2"
    }
  }

  mock_data "aws_iam_policy_document" {
    defaults = {
      json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}"
    }
  }

  mock_resource "aws_iam_role" {
    defaults = {
      arn = "arn:aws:iam::123456789012:role/meridian-apigw-cloudwatch-us-west-2"
    }
  }
}

variables {
  region = "us-west-2"
}

# One aws_api_gateway_account per account and Region, owned here (and nowhere in infra/: see
# tests/infra/test_account_settings.py).
# https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-apigateway-account.html
run "sets_the_regions_cloudwatch_role" {
  command = plan

  assert {
    condition     = aws_api_gateway_account.this.cloudwatch_role_arn == aws_iam_role.cloudwatch.arn
    error_message = "the Region's API Gateway account points at this module's role"
  }

  assert {
    condition     = aws_iam_role.cloudwatch.name == "meridian-apigw-cloudwatch-us-west-2"
    error_message = "one role per Region (IAM is global): the name carries the Region"
  }

  assert {
    condition = toset(flatten([for statement in data.aws_iam_policy_document.cloudwatch.statement : statement.resources if statement.sid == "WriteApiLogs"])) == toset([
      "arn:aws:logs:us-west-2:123456789012:log-group:API-Gateway-Execution-Logs_*",
      "arn:aws:logs:us-west-2:123456789012:log-group:/meridian-*",
    ])
    error_message = "the role writes only API Gateway's execution log groups and the project's log groups, in its Region"
  }
}

run "rejects_a_malformed_region" {
  command = plan

  variables {
    region = "us_east_1"
  }

  expect_failures = [var.region]
}
