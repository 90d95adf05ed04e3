output "health_check_id" {
  description = "Route 53 health check of this region's /health."
  value       = aws_route53_health_check.health.id
}

output "custom_domain_url" {
  description = "This region's custom-domain URL of the stage (through the latency record)."
  value       = "https://${aws_api_gateway_domain_name.origin.domain_name}/${aws_api_gateway_base_path_mapping.v1.base_path}"
}
