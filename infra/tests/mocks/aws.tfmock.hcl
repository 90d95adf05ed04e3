# Plan-time values for what the AWS provider would compute. ARNs must look like ARNs because other
# resources validate them during plan; the account is AWS's documentation account.
mock_data "aws_caller_identity" {
  defaults = {
    account_id = "123456789012"
    arn        = "arn:aws:iam::123456789012:user/terraform-test"
  }
}

mock_data "aws_partition" {
  defaults = {
    partition  = "aws"
    dns_suffix = "amazonaws.com"
  }
}

# The policy documents are asserted through the statements the modules feed them (see the
# iam_policy_statements outputs); the rendered JSON only has to be valid JSON here.
mock_data "aws_iam_policy_document" {
  defaults = {
    json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}"
  }
}

mock_resource "aws_kms_key" {
  defaults = {
    arn    = "arn:aws:kms:us-east-1:123456789012:key/mrk-00000000000000000000000000000001"
    key_id = "mrk-00000000000000000000000000000001"
  }
}

mock_resource "aws_kms_replica_key" {
  defaults = {
    arn    = "arn:aws:kms:us-west-2:123456789012:key/mrk-00000000000000000000000000000001"
    key_id = "mrk-00000000000000000000000000000001"
  }
}

mock_resource "aws_cloudwatch_log_group" {
  defaults = {
    arn = "arn:aws:logs:us-east-1:123456789012:log-group:mock"
  }
}

mock_resource "aws_iam_role" {
  defaults = {
    arn = "arn:aws:iam::123456789012:role/mock"
  }
}

mock_resource "aws_lambda_function" {
  defaults = {
    arn        = "arn:aws:lambda:us-east-1:123456789012:function:mock"
    invoke_arn = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:mock/invocations"
  }
}

mock_resource "aws_api_gateway_rest_api" {
  defaults = {
    id               = "abcdef1234"
    root_resource_id = "rootid1234"
    execution_arn    = "arn:aws:execute-api:us-east-1:123456789012:abcdef1234"
    arn              = "arn:aws:apigateway:us-east-1::/restapis/abcdef1234"
  }
}

mock_resource "aws_api_gateway_stage" {
  defaults = {
    arn        = "arn:aws:apigateway:us-east-1::/restapis/abcdef1234/stages/v1"
    invoke_url = "https://abcdef1234.execute-api.us-east-1.amazonaws.com/v1"
  }
}

mock_resource "aws_wafv2_web_acl" {
  defaults = {
    arn = "arn:aws:wafv2:us-east-1:123456789012:regional/webacl/mock/00000000-0000-0000-0000-000000000001"
    id  = "00000000-0000-0000-0000-000000000001"
  }
}

mock_resource "aws_sns_topic" {
  defaults = {
    arn = "arn:aws:sns:us-east-1:123456789012:mock"
  }
}

mock_resource "aws_cognito_user_pool" {
  defaults = {
    id       = "us-east-1_AbCdEf123"
    arn      = "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_AbCdEf123"
    endpoint = "cognito-idp.us-east-1.amazonaws.com/us-east-1_AbCdEf123"
  }
}

mock_resource "aws_secretsmanager_secret" {
  defaults = {
    arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:meridian-dev/partner-keys/acme/k1-AbCdEf"
  }
}

mock_resource "aws_dynamodb_table" {
  defaults = {
    arn        = "arn:aws:dynamodb:us-east-1:123456789012:table/mock"
    stream_arn = "arn:aws:dynamodb:us-east-1:123456789012:table/mock/stream/2026-01-01T00:00:00.000"
  }
}

mock_resource "aws_cloudfront_distribution" {
  defaults = {
    arn            = "arn:aws:cloudfront::123456789012:distribution/EDFDVBD6EXAMPLE"
    id             = "EDFDVBD6EXAMPLE"
    domain_name    = "d111111abcdef8.cloudfront.net"
    hosted_zone_id = "Z2FDTNDATAQYW2"
  }
}

mock_resource "aws_acm_certificate" {
  defaults = {
    arn = "arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-0000-0000-000000000001"
    domain_validation_options = [
      {
        domain_name           = "api.example.com"
        resource_record_name  = "_0123456789abcdef.api.example.com."
        resource_record_type  = "CNAME"
        resource_record_value = "_fedcba9876543210.acm-validations.aws."
      },
    ]
  }
}

mock_resource "aws_acm_certificate_validation" {
  defaults = {
    certificate_arn = "arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-0000-0000-000000000001"
  }
}

mock_resource "aws_route53_record" {
  defaults = {
    fqdn = "_0123456789abcdef.api.example.com"
  }
}

mock_data "aws_route53_zone" {
  defaults = {
    zone_id = "Z0123456789ABCDEFGHIJ"
    name    = "example.com."
  }
}

mock_resource "aws_route53_health_check" {
  defaults = {
    id  = "00000000-0000-0000-0000-000000000001"
    arn = "arn:aws:route53:::healthcheck/00000000-0000-0000-0000-000000000001"
  }
}

mock_resource "aws_api_gateway_domain_name" {
  defaults = {
    regional_domain_name = "d-abcdef1234.execute-api.us-east-1.amazonaws.com"
    regional_zone_id     = "Z1UJRXOUMOOFQ8"
    arn                  = "arn:aws:apigateway:us-east-1::/domainnames/origin.api.example.com"
  }
}

mock_resource "aws_cloudfront_cache_policy" {
  defaults = {
    id = "00000000-0000-0000-0000-00000000000a"
  }
}

mock_resource "aws_cloudfront_origin_request_policy" {
  defaults = {
    id = "00000000-0000-0000-0000-00000000000b"
  }
}

mock_resource "aws_cloudfront_response_headers_policy" {
  defaults = {
    id = "00000000-0000-0000-0000-00000000000c"
  }
}

# Transaction events (modules/transaction_events).
mock_resource "aws_sqs_queue" {
  defaults = {
    arn = "arn:aws:sqs:us-east-1:123456789012:mock"
    id  = "https://sqs.us-east-1.amazonaws.com/123456789012/mock"
    url = "https://sqs.us-east-1.amazonaws.com/123456789012/mock"
  }
}

mock_resource "aws_lambda_event_source_mapping" {
  defaults = {
    uuid = "00000000-0000-0000-0000-00000000000e"
  }
}

mock_data "aws_dynamodb_table" {
  defaults = {
    arn        = "arn:aws:dynamodb:us-west-2:123456789012:table/mock"
    stream_arn = "arn:aws:dynamodb:us-west-2:123456789012:table/mock/stream/2026-01-01T00:00:00.000"
  }
}
