resource "aws_secretsmanager_secret" "partner_signing_key" {
  #checkov:skip=CKV2_AWS_57: rotated by bumping var.partner_secret_version (partners must get new tokens; no rotation Lambda)
  name                    = "${var.name}/partner-jwt-signing-key"
  description             = "HS256 signing key of partner JWTs, JSON {\"signing_key\": ...}"
  kms_key_id              = var.kms_key_arn
  recovery_window_in_days = var.recovery_window_days

  replica {
    region     = var.replica_region
    kms_key_id = var.replica_kms_key_arn
  }
}
