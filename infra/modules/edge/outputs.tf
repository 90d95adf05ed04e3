output "distribution_id" {
  description = "CloudFront distribution id."
  value       = aws_cloudfront_distribution.api.id
}

output "distribution_domain_name" {
  description = "cloudfront.net host name of the distribution."
  value       = aws_cloudfront_distribution.api.domain_name
}

output "distribution_hosted_zone_id" {
  description = "Route 53 zone id of CloudFront (alias records)."
  value       = aws_cloudfront_distribution.api.hosted_zone_id
}

output "web_acl_name" {
  description = "Name of the CloudFront WAF web ACL."
  value       = aws_wafv2_web_acl.edge.name
}

output "web_acl_arn" {
  description = "ARN of the CloudFront WAF web ACL."
  value       = aws_wafv2_web_acl.edge.arn
}

output "alarm_topic_arn" {
  description = "ARN of the us-east-1 alarm topic (CloudFront and health-check alarms)."
  value       = aws_sns_topic.alarms.arn
}

output "waf_log_group_name" {
  description = "CloudWatch log group of the CloudFront WAF."
  value       = aws_cloudwatch_log_group.waf.name
}

output "active_origin_domain" {
  description = "Host name of the origin every behaviour targets (the active region's execute-api endpoint)."
  value       = var.origin_domains[var.active_region]
}
