output "name_prefix" {
  description = "Name prefix shared by every partner key secret (`<name>/partner-keys/`): the authorizer's PARTNER_KEY_SECRET_PREFIX and the scope of its IAM policy."
  value       = local.name_prefix
}

output "secret_arns" {
  description = "ARN of each partner key secret in the primary region, keyed `<partner>/<key id>`."
  value       = { for key, secret in aws_secretsmanager_secret.partner_key : key => secret.arn }
}

output "secret_names" {
  description = "Name of each partner key secret (the same in both regions), keyed `<partner>/<key id>`."
  value       = { for key, secret in aws_secretsmanager_secret.partner_key : key => secret.name }
}

output "recovery_window_days" {
  description = "Recovery window of the secrets (0: deleted at once)."
  value       = var.recovery_window_days
}

output "kms_key_ids" {
  description = "KMS key of the secrets per region (primary and replica)."
  value = {
    primary              = var.kms_key_arn
    (var.replica_region) = var.replica_kms_key_arn
  }
}
