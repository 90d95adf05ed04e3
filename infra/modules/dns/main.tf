resource "aws_route53_zone" "api" {
  #checkov:skip=CKV2_AWS_39: query logging needs a us-east-1 log group and resource policy per zone; the WAF logs cover the API's traffic
  #checkov:skip=CKV2_AWS_38: DNSSEC signing needs an asymmetric KMS key and DS records at the parent, which this stack does not control
  for_each = var.hosted_zone_id == null ? toset([var.domain_name]) : toset([])

  name    = each.value
  comment = "${var.name}: Meridian API"
}

data "aws_route53_zone" "existing" {
  for_each = var.hosted_zone_id == null ? toset([]) : toset([var.hosted_zone_id])

  zone_id = each.value
}

locals {
  zone_id = var.hosted_zone_id == null ? aws_route53_zone.api[var.domain_name].zone_id : data.aws_route53_zone.existing[var.hosted_zone_id].zone_id
}

# One Route 53 health check per region on its own execute-api /v1/health (not through CloudFront,
# which only reaches the active region): the edge module alarms on them (their metrics exist only
# in us-east-1) and they tell the operator whether the standby region can take over before
# active_region is flipped. They route nothing: with "write to one Region" no DNS record may send
# requests to a region on its own (docs/architecture.md).
# https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/health-checks-types.html
resource "aws_route53_health_check" "region" {
  for_each = var.health_check_targets

  fqdn              = each.value
  port              = 443
  type              = "HTTPS"
  resource_path     = var.health_check_path
  request_interval  = 30
  failure_threshold = 3
  measure_latency   = true
  enable_sni        = true

  tags = {
    Name = "${var.name}-health-${each.key}"
  }
}
