output "cloudwatch_role_arn" {
  description = "ARN of the role API Gateway uses in this Region to write execution and access logs."
  value       = aws_iam_role.cloudwatch.arn
}

output "region" {
  description = "Region whose API Gateway account settings this state owns."
  value       = local.region
}
