# CloudFront only uses certificates from us-east-1 (this module's provider).
resource "aws_acm_certificate" "edge" {
  for_each = local.custom_domain ? toset([var.domain_name]) : toset([])

  domain_name       = each.value
  validation_method = "DNS"

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_route53_record" "edge_validation" {
  for_each = local.custom_domain ? toset([var.domain_name]) : toset([])

  zone_id         = var.zone_id
  name            = one(aws_acm_certificate.edge[each.key].domain_validation_options).resource_record_name
  type            = one(aws_acm_certificate.edge[each.key].domain_validation_options).resource_record_type
  records         = [one(aws_acm_certificate.edge[each.key].domain_validation_options).resource_record_value]
  ttl             = 300
  allow_overwrite = true
}

resource "aws_acm_certificate_validation" "edge" {
  for_each = local.custom_domain ? toset([var.domain_name]) : toset([])

  certificate_arn         = aws_acm_certificate.edge[each.key].arn
  validation_record_fqdns = [aws_route53_record.edge_validation[each.key].fqdn]
}

# The public name points at the distribution (IPv4 and IPv6).
resource "aws_route53_record" "alias" {
  for_each = local.custom_domain ? toset(["A", "AAAA"]) : toset([])

  zone_id = var.zone_id
  name    = var.domain_name
  type    = each.value

  alias {
    name                   = aws_cloudfront_distribution.api.domain_name
    zone_id                = aws_cloudfront_distribution.api.hosted_zone_id
    evaluate_target_health = false
  }
}
