data "aws_caller_identity" "current" {}

locals {
  custom_domain     = var.domain_name != null
  primary_origin_id = "api-${var.name}-primary"
  origin_group_id   = "api-${var.name}-failover"
  # With a custom domain the origin is the latency-routed, health-checked regional custom domain;
  # without one, the primary execute-api endpoint with failover to the secondary.
  target_origin_id = local.custom_domain ? local.primary_origin_id : local.origin_group_id
  origins = local.custom_domain ? {
    (local.primary_origin_id) = var.latency_origin_domain
    } : {
    (local.primary_origin_id)   = var.primary_origin_domain
    "api-${var.name}-secondary" = var.secondary_origin_domain
  }
}

# API responses are per caller: the Authorization header is part of the cache key (it is also
# how CloudFront forwards it), so one user's response can never be served to another. The API
# sends no Cache-Control, so with default_ttl 0 nothing is cached unless the API opts in.
resource "aws_cloudfront_cache_policy" "api" {
  name        = "${var.name}-api"
  comment     = "Per-caller key (Authorization); cached only when the API sends Cache-Control"
  min_ttl     = 0
  default_ttl = 0
  max_ttl     = 300

  parameters_in_cache_key_and_forwarded_to_origin {
    enable_accept_encoding_brotli = true
    enable_accept_encoding_gzip   = true

    cookies_config {
      cookie_behavior = "none"
    }

    headers_config {
      header_behavior = "whitelist"
      headers {
        items = ["Authorization"]
      }
    }

    query_strings_config {
      query_string_behavior = "all"
    }
  }
}

# /v1/health is public and identical for everyone: safe to cache for a few seconds.
resource "aws_cloudfront_cache_policy" "health" {
  name        = "${var.name}-health"
  comment     = "Public health endpoint: shared, short-lived cache"
  min_ttl     = 0
  default_ttl = 5
  max_ttl     = 10

  parameters_in_cache_key_and_forwarded_to_origin {
    enable_accept_encoding_brotli = true
    enable_accept_encoding_gzip   = true

    cookies_config {
      cookie_behavior = "none"
    }

    headers_config {
      header_behavior = "none"
    }

    query_strings_config {
      query_string_behavior = "none"
    }
  }
}

# Everything the API needs except Host (API Gateway routes on its own host name).
resource "aws_cloudfront_origin_request_policy" "api" {
  name    = "${var.name}-api"
  comment = "Forward viewer headers except Host, all query strings, no cookies"

  cookies_config {
    cookie_behavior = "none"
  }

  headers_config {
    header_behavior = "allExcept"
    headers {
      items = ["Host"]
    }
  }

  query_strings_config {
    query_string_behavior = "all"
  }
}

resource "aws_cloudfront_response_headers_policy" "security" {
  name    = "${var.name}-security-headers"
  comment = "HSTS, nosniff, no framing, no referrer, restrictive CSP"

  security_headers_config {
    strict_transport_security {
      access_control_max_age_sec = 63072000
      include_subdomains         = true
      preload                    = true
      override                   = true
    }

    content_type_options {
      override = true
    }

    frame_options {
      frame_option = "DENY"
      override     = true
    }

    referrer_policy {
      referrer_policy = "no-referrer"
      override        = true
    }

    xss_protection {
      protection = true
      mode_block = true
      override   = true
    }

    content_security_policy {
      content_security_policy = "default-src 'none'; frame-ancestors 'none'"
      override                = true
    }
  }
}

resource "aws_cloudfront_distribution" "api" {
  #checkov:skip=CKV_AWS_86: access logs need an S3 bucket; the WAF logs (CloudWatch) and API access logs record every request
  #checkov:skip=CKV_AWS_374: the API serves customers worldwide; no geo restriction
  #checkov:skip=CKV2_AWS_42: a custom certificate needs var.domain_name; without one the cloudfront.net certificate is used
  enabled         = true
  is_ipv6_enabled = true
  http_version    = "http2and3"
  comment         = "Meridian API (${var.environment})"
  price_class     = var.price_class
  # false returns as soon as CloudFront accepted the change instead of polling until every edge
  # location has it (5-15 minutes on AWS, ~30 s of polling against the devstack).
  wait_for_deployment = var.wait_for_deployment
  aliases             = local.custom_domain ? [var.domain_name] : []
  web_acl_id          = aws_wafv2_web_acl.edge.arn
  # "/" answers with the public health document rather than the origin's 403.
  default_root_object = "${trimprefix(var.stage_path, "/")}/health"

  dynamic "origin" {
    for_each = local.origins
    content {
      origin_id   = origin.key
      domain_name = origin.value

      custom_origin_config {
        http_port              = 80
        https_port             = 443
        origin_protocol_policy = "https-only"
        origin_ssl_protocols   = ["TLSv1.2"]
      }

      custom_header {
        name  = var.origin_verify_header_name
        value = var.origin_verify_header_value
      }
    }
  }

  # Failover for reads (CloudFront only fails over GET, HEAD and OPTIONS).
  dynamic "origin_group" {
    for_each = local.custom_domain ? {} : { (local.origin_group_id) = true }
    content {
      origin_id = origin_group.key

      failover_criteria {
        status_codes = [500, 502, 503, 504]
      }

      member {
        origin_id = local.primary_origin_id
      }

      member {
        origin_id = "api-${var.name}-secondary"
      }
    }
  }

  default_cache_behavior {
    target_origin_id           = local.target_origin_id
    viewer_protocol_policy     = "redirect-to-https"
    allowed_methods            = ["DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"]
    cached_methods             = ["GET", "HEAD"]
    compress                   = true
    cache_policy_id            = aws_cloudfront_cache_policy.api.id
    origin_request_policy_id   = aws_cloudfront_origin_request_policy.api.id
    response_headers_policy_id = aws_cloudfront_response_headers_policy.security.id
  }

  ordered_cache_behavior {
    path_pattern               = "${var.stage_path}/health"
    target_origin_id           = local.target_origin_id
    viewer_protocol_policy     = "redirect-to-https"
    allowed_methods            = ["GET", "HEAD", "OPTIONS"]
    cached_methods             = ["GET", "HEAD"]
    compress                   = true
    cache_policy_id            = aws_cloudfront_cache_policy.health.id
    origin_request_policy_id   = aws_cloudfront_origin_request_policy.api.id
    response_headers_policy_id = aws_cloudfront_response_headers_policy.security.id
  }

  restrictions {
    geo_restriction {
      restriction_type = "none"
    }
  }

  viewer_certificate {
    cloudfront_default_certificate = !local.custom_domain
    acm_certificate_arn            = local.custom_domain ? aws_acm_certificate_validation.edge[var.domain_name].certificate_arn : null
    ssl_support_method             = local.custom_domain ? "sni-only" : null
    minimum_protocol_version       = "TLSv1.2_2021"
  }
}
