output "zone_id" {
  description = "Route 53 zone holding the API's records."
  value       = local.zone_id
}

output "name_servers" {
  description = "Name servers of the created zone (delegate to them from the parent), or null when an existing zone is used."
  value       = var.hosted_zone_id == null ? aws_route53_zone.api[var.domain_name].name_servers : null
}

output "health_check_ids" {
  description = "Route 53 health check id per region (keys of health_check_targets)."
  value       = { for region, check in aws_route53_health_check.region : region => check.id }
}
