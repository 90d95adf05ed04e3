output "key_arn" {
  description = "ARN of the key in this region (primary or replica)."
  value       = local.key_arn
}

output "key_policy_statements" {
  description = "Sids of the key policy statements, for review and tests."
  value       = [for statement in data.aws_iam_policy_document.key.statement : statement.sid]
}

output "deletion_window_days" {
  description = "Days the key stays pending deletion (recoverable with CancelKeyDeletion) after a destroy."
  value       = var.deletion_window_days
}
