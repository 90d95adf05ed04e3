output "zone_id" {
  description = "Route 53 zone holding the API's records."
  value       = data.aws_route53_zone.api.zone_id
}

output "health_check_ids" {
  description = "Route 53 health check id per region (keys of health_check_targets)."
  value       = { for region, check in aws_route53_health_check.region : region => check.id }
}
