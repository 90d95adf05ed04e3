# The zone is the caller's: a zone created and destroyed with each environment would get new name
# servers every time (delegation at the parent breaks, and the ACM validation record could never
# resolve before the parent delegates). The stack only adds records to an existing public zone.
# https://docs.aws.amazon.com/Route53/latest/APIReference/API_DeleteHostedZone.html
data "aws_route53_zone" "api" {
  zone_id = var.hosted_zone_id

  lifecycle {
    postcondition {
      condition     = var.domain_name == trimsuffix(self.name, ".") || endswith(var.domain_name, ".${trimsuffix(self.name, ".")}")
      error_message = "hosted_zone_id must be the public zone whose name is domain_name or a parent of it."
    }
  }
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
