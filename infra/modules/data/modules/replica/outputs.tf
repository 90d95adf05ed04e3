output "arn" {
  description = "ARN of the replica table (in this provider's region)."
  value       = aws_dynamodb_table_replica.this.arn
}

output "region" {
  description = "Region of the replica (this provider's region)."
  value       = data.aws_region.current.name
}

output "deletion_protection_enabled" {
  description = "Whether the replica has deletion protection."
  value       = aws_dynamodb_table_replica.this.deletion_protection_enabled
}
