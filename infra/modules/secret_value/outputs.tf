output "version_id" {
  description = "Secrets Manager version id of the written value (never the value)."
  value       = aws_secretsmanager_secret_version.signing_key.version_id
}
