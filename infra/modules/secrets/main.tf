# One secret per (partner, key id): each partner signs its tokens with its own HS256 key, chosen
# by the token's `kid` (= "<partner>/<key id>"), so no partner can mint tokens for another
# (docs/security.md). Rotation is by key id, not by version: add a key id, let the partner move,
# remove the old one; both are valid while both are listed.
#
# Names are `<name>/partner-keys/<partner>/<key id>`; the authorizer reads them by name (never
# by partial ARN, which a name ending in "-" + six characters would confuse:
# https://docs.aws.amazon.com/secretsmanager/latest/userguide/troubleshoot.html#ARN_secretnamehyphen)
# and its IAM policy is the prefix `<name>/partner-keys/*` in its own region.
resource "aws_secretsmanager_secret" "partner_key" {
  #checkov:skip=CKV2_AWS_57: rotated by adding a new key id (partners must move to it; no rotation Lambda)
  for_each = var.partner_keys

  name                    = "${local.name_prefix}${each.value.partner}/${each.value.key_id}"
  description             = "HS256 signing key of partner ${each.value.partner}, key id ${each.value.key_id}: JSON {\"signing_key\": ...}"
  kms_key_id              = var.kms_key_arn
  recovery_window_in_days = var.recovery_window_days

  # The secondary region's authorizer reads the replica by the same name
  # (https://docs.aws.amazon.com/secretsmanager/latest/userguide/create-manage-multi-region-secrets.html).
  replica {
    region     = var.replica_region
    kms_key_id = var.replica_kms_key_arn
  }
}

locals {
  name_prefix = "${var.name}/partner-keys/"
}
