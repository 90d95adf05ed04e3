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
