output "secret_arn" {
  description = "ARN of the partner signing-key secret in the primary region."
  value       = aws_secretsmanager_secret.partner_signing_key.arn
}

output "replica_secret_arn" {
  description = "ARN of the secret's replica in the replica region (same name and suffix, other region)."
  value       = join(":", [for index, part in split(":", aws_secretsmanager_secret.partner_signing_key.arn) : index == 3 ? var.replica_region : part])
}

output "secret_name" {
  description = "Name of the secret."
  value       = aws_secretsmanager_secret.partner_signing_key.name
}

output "recovery_window_days" {
  description = "Recovery window of the secret (0: deleted at once)."
  value       = aws_secretsmanager_secret.partner_signing_key.recovery_window_in_days
}

output "kms_key_ids" {
  description = "KMS key of the secret per region (primary and replica)."
  value = merge(
    { primary = aws_secretsmanager_secret.partner_signing_key.kms_key_id },
    { for replica in aws_secretsmanager_secret.partner_signing_key.replica : replica.region => replica.kms_key_id },
  )
}
