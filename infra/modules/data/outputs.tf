output "table_name" {
  description = "Name of the global table (the same in every region)."
  value       = aws_dynamodb_table.main.name
}

output "table_arn" {
  description = "ARN of the table in the primary region (the replica's global_table_arn)."
  value       = aws_dynamodb_table.main.arn
}

output "stream_arn" {
  description = "Stream ARN of the table in the primary region."
  value       = aws_dynamodb_table.main.stream_arn
}

output "deletion_protection_enabled" {
  description = "Whether the table in the primary region has deletion protection."
  value       = aws_dynamodb_table.main.deletion_protection_enabled
}
