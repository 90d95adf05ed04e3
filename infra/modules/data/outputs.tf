output "table_name" {
  description = "Name of the global table (the same in every region)."
  value       = aws_dynamodb_table.main.name
}

output "table_arn" {
  description = "ARN of the table in the primary region."
  value       = aws_dynamodb_table.main.arn
}

output "replica_table_arn" {
  description = "ARN of the replica in the secondary region."
  value       = one([for replica in aws_dynamodb_table.main.replica : replica.arn])
}

output "stream_arn" {
  description = "Stream ARN of the table in the primary region."
  value       = aws_dynamodb_table.main.stream_arn
}

output "deletion_protection_enabled" {
  description = "Whether the table has deletion protection."
  value       = aws_dynamodb_table.main.deletion_protection_enabled
}

output "replica_regions" {
  description = "Regions of the table's replicas."
  value       = [for replica in aws_dynamodb_table.main.replica : replica.region_name]
}
