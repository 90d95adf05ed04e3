data "aws_region" "current" {}

locals {
  region = data.aws_region.current.name
}

# Regional API custom domains use a certificate from their own region.
resource "aws_acm_certificate" "origin" {
  domain_name       = var.origin_domain_name
  validation_method = "DNS"

  lifecycle {
    create_before_destroy = true
  }
}

# Both regions validate the same name with the same record: allow_overwrite makes that idempotent.
resource "aws_route53_record" "validation" {
  zone_id         = var.zone_id
  name            = one(aws_acm_certificate.origin.domain_validation_options).resource_record_name
  type            = one(aws_acm_certificate.origin.domain_validation_options).resource_record_type
  records         = [one(aws_acm_certificate.origin.domain_validation_options).resource_record_value]
  ttl             = 300
  allow_overwrite = true
}

resource "aws_acm_certificate_validation" "origin" {
  certificate_arn         = aws_acm_certificate.origin.arn
  validation_record_fqdns = [aws_route53_record.validation.fqdn]
}

resource "aws_api_gateway_domain_name" "origin" {
  domain_name              = var.origin_domain_name
  regional_certificate_arn = aws_acm_certificate_validation.origin.certificate_arn
  security_policy          = "TLS_1_2"

  endpoint_configuration {
    types = ["REGIONAL"]
  }
}

resource "aws_api_gateway_base_path_mapping" "v1" {
  api_id      = var.rest_api_id
  stage_name  = var.stage_name
  domain_name = aws_api_gateway_domain_name.origin.domain_name
  base_path   = var.stage_name
}

resource "aws_route53_health_check" "health" {
  fqdn              = var.execute_api_domain
  port              = 443
  type              = "HTTPS"
  resource_path     = "/${var.stage_name}/health"
  request_interval  = 30
  failure_threshold = 3
  measure_latency   = true
  enable_sni        = true

  tags = {
    Name = "${var.name}-health-${local.region}"
  }
}

resource "aws_route53_record" "latency" {
  for_each = toset(["A", "AAAA"])

  zone_id         = var.zone_id
  name            = var.origin_domain_name
  type            = each.value
  set_identifier  = "${var.name}-${local.region}"
  health_check_id = aws_route53_health_check.health.id

  latency_routing_policy {
    region = local.region
  }

  alias {
    name                   = aws_api_gateway_domain_name.origin.regional_domain_name
    zone_id                = aws_api_gateway_domain_name.origin.regional_zone_id
    evaluate_target_health = true
  }
}
