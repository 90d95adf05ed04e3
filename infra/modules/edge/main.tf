data "aws_caller_identity" "current" {}

locals {
  custom_domain = var.domain_name != null

  # One origin per region; every behaviour targets the active region's origin only. "Write to one
  # Region" (AWS prescriptive guidance on global tables,
  # https://docs.aws.amazon.com/prescriptive-guidance/latest/dynamodb-global-tables/write-to-one-region.html):
  # the table's conditional writes are checked only in the replica that takes them, so two regions
  # taking writes at once would break idempotency and optimistic locking. The standby origin is
  # declared so a failover (flip active_region, apply) only retargets the behaviour.
  origin_ids       = { for region, domain in var.origin_domains : region => "api-${var.name}-${region}" }
  active_origin_id = local.origin_ids[var.active_region]

  # No origin group. CloudFront fails over only GET, HEAD and OPTIONS and refuses an origin group on
  # a behaviour that allows POST, PUT, PATCH or DELETE ("The parameter AllowedMethods cannot include
  # POST, PUT, PATCH, or DELETE for a cached behavior associated with an origin group",
  # https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/high_availability_origin_failover.html).
  # Every path of this API allows writes except /v1/health, and failing over /v1/health alone would
  # make the edge's health answer come from the standby while every other route still reaches the
  # failed active region: a green health check for a broken API. So failover is a decision
  # (Route 53 health checks and alarms inform it), not a per-request retry.

  # AWS managed policies (ids are fixed by AWS) instead of custom ones: custom cache and origin
  # request policies count against 20-per-account quotas
  # (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/cloudfront-limits.html#limits-policies).
  # CachingDisabled: every API response is per caller (or, for /v1/health, must be live), so nothing
  # is cached at the edge
  # (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/using-managed-cache-policies.html#managed-cache-policy-caching-disabled).
  managed_cache_policy_caching_disabled = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
  # AllViewerExceptHostHeader: made for API Gateway origins, which route on their own host name;
  # with caching disabled it also forwards Authorization
  # (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/using-managed-origin-request-policies.html#managed-origin-request-policy-all-viewer-except-host-header,
  # https://repost.aws/knowledge-center/cloudfront-authorization-header).
  managed_origin_request_policy_all_viewer_except_host = "b689b0a8-53d0-40ab-baf2-68738e2966ac"

  # Every 4xx/5xx status CloudFront accepts a custom error response for: 400, 403, 404, 405, 414,
  # 416, 500, 501, 502, 503, 504 (412 and 415 cannot have one). CloudFront caches errors for 10 s by
  # default (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/custom-error-pages-expiration.html,
  # https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/HTTPStatusCodes.html#HTTPStatusCodes-cached-errors):
  # a GET /v1/profiles/me 404 would outlive the POST that creates the profile. The error-caching
  # TTL is its own setting, not the cache policy's: AWS documents that CloudFront ignores
  # no-store/no-cache/private on most error codes and caches them for the Error Caching Minimum
  # TTL, so CachingDisabled alone does not promise uncached errors; the explicit 0 here does.
  uncached_error_codes = [400, 403, 404, 405, 414, 416, 500, 501, 502, 503, 504]

  # What AWS stores as MinimumProtocolVersion: with the default *.cloudfront.net certificate AWS
  # sets TLSv1 whatever is sent
  # (https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_ViewerCertificate.html), so
  # anything else never converges; with an ACM certificate (SNI) TLSv1.2_2021 is honoured.
  minimum_protocol_version = local.custom_domain ? "TLSv1.2_2021" : "TLSv1"
}

# Security headers on every response. A custom policy (one per environment, 20 per account by
# default) because the managed SecurityHeadersPolicy allows framing from the same origin, sends a
# referrer and sets no Content-Security-Policy; see docs/capacity.md for the quota.
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
  #checkov:skip=CKV_AWS_174: with the cloudfront.net certificate AWS stores TLSv1 whatever is sent (API_ViewerCertificate); with domain_name it is TLSv1.2_2021
  #checkov:skip=CKV_AWS_310: no origin failover by design: writes go to one region (docs/architecture.md)
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
    for_each = var.origin_domains
    content {
      origin_id   = local.origin_ids[origin.key]
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

  # All methods, all paths, one origin: the active region's.
  default_cache_behavior {
    target_origin_id           = local.active_origin_id
    viewer_protocol_policy     = "redirect-to-https"
    allowed_methods            = ["DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"]
    cached_methods             = ["GET", "HEAD"]
    compress                   = true
    cache_policy_id            = local.managed_cache_policy_caching_disabled
    origin_request_policy_id   = local.managed_origin_request_policy_all_viewer_except_host
    response_headers_policy_id = aws_cloudfront_response_headers_policy.security.id
  }

  dynamic "custom_error_response" {
    for_each = toset(local.uncached_error_codes)
    content {
      error_code            = custom_error_response.value
      error_caching_min_ttl = 0
    }
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
    minimum_protocol_version       = local.minimum_protocol_version
  }
}
