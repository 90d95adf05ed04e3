# Regional web ACL on the stage: the API answers only requests that came through CloudFront
# (which adds the secret origin-verify header), plus /v1/health for the Route 53 health checks
# (they cannot send custom headers; the route is public and read-only anyway).
resource "aws_wafv2_web_acl" "api" {
  name        = "${var.name}-api-${local.region}"
  description = "Meridian ${var.environment}: only CloudFront may reach the regional API"
  scope       = "REGIONAL"

  default_action {
    allow {}
  }

  rule {
    name     = "allow-health-checks"
    priority = 0

    action {
      allow {}
    }

    statement {
      byte_match_statement {
        search_string         = "/${local.stage_name}/health"
        positional_constraint = "EXACTLY"

        field_to_match {
          uri_path {}
        }

        text_transformation {
          priority = 0
          type     = "NONE"
        }
      }
    }

    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "${var.name}-allow-health-checks"
      sampled_requests_enabled   = true
    }
  }

  # Blocks a request unless its origin-verify header equals one of the accepted values: the current
  # one and, during a rotation, the previous one. CloudFront rolls a changed origin header out edge
  # location by edge location over minutes, so for a while some requests carry the old value and
  # some the new; accepting both avoids 403s (the pattern of AWS's reference solution
  # https://github.com/aws-samples/amazon-cloudfront-waf-secretsmanager, which accepts
  # AWSCURRENT and AWSPREVIOUS). Procedure: docs/operations.md, "Rotating the origin-verify value".
  rule {
    name     = "block-without-origin-header"
    priority = 1

    action {
      block {}
    }

    statement {
      not_statement {
        statement {
          # One accepted value: a single match. Two: either one (or_statement needs two or more).
          dynamic "byte_match_statement" {
            for_each = length(var.origin_verify_header_values) == 1 ? var.origin_verify_header_values : []
            content {
              search_string         = byte_match_statement.value
              positional_constraint = "EXACTLY"

              field_to_match {
                single_header {
                  name = lower(var.origin_verify_header_name)
                }
              }

              text_transformation {
                priority = 0
                type     = "NONE"
              }
            }
          }

          dynamic "or_statement" {
            for_each = length(var.origin_verify_header_values) > 1 ? [var.origin_verify_header_values] : []
            content {
              dynamic "statement" {
                for_each = or_statement.value
                content {
                  byte_match_statement {
                    search_string         = statement.value
                    positional_constraint = "EXACTLY"

                    field_to_match {
                      single_header {
                        name = lower(var.origin_verify_header_name)
                      }
                    }

                    text_transformation {
                      priority = 0
                      type     = "NONE"
                    }
                  }
                }
              }
            }
          }
        }
      }
    }

    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "${var.name}-block-without-origin-header"
      sampled_requests_enabled   = true
    }
  }

  rule {
    name     = "aws-known-bad-inputs"
    priority = 2

    override_action {
      none {}
    }

    statement {
      managed_rule_group_statement {
        name        = "AWSManagedRulesKnownBadInputsRuleSet"
        vendor_name = "AWS"
      }
    }

    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "${var.name}-known-bad-inputs"
      sampled_requests_enabled   = true
    }
  }

  visibility_config {
    cloudwatch_metrics_enabled = true
    metric_name                = "${var.name}-api-${local.region}"
    sampled_requests_enabled   = true
  }
}

resource "aws_wafv2_web_acl_association" "stage" {
  resource_arn = aws_api_gateway_stage.v1.arn
  web_acl_arn  = aws_wafv2_web_acl.api.arn
}

resource "aws_cloudwatch_log_group" "waf" {
  # WAF only logs to groups whose name starts with aws-waf-logs-.
  name              = "aws-waf-logs-${var.name}-${local.region}"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn
}

# Secrets never reach the logs: WAF logs every request header unless it is redacted
# (https://docs.aws.amazon.com/waf/latest/developerguide/logging-management.html, "Redacting fields").
# The origin-verify header is the shared secret between CloudFront and this WAF; bearer tokens
# travel in Authorization, API keys in X-Api-Key. Header names are matched in lowercase.
locals {
  waf_redacted_headers = [lower(var.origin_verify_header_name), "authorization", "x-api-key"]
}

resource "aws_wafv2_web_acl_logging_configuration" "api" {
  resource_arn            = aws_wafv2_web_acl.api.arn
  log_destination_configs = [aws_cloudwatch_log_group.waf.arn]

  dynamic "redacted_fields" {
    for_each = toset(local.waf_redacted_headers)
    content {
      single_header {
        name = redacted_fields.value
      }
    }
  }
}
