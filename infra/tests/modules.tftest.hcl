# The smaller modules on their own: data, identity, secrets, KMS, edge and the dashboard.
mock_provider "aws" {
  source          = "./tests/mocks"
  override_during = plan

  mock_data "aws_region" {
    defaults = {
      name = "us-east-1"
    }
  }
}

run "global_table" {
  command = plan

  module {
    source = "./modules/data"
  }

  variables {
    name                = "meridian-dev"
    kms_key_arn         = "arn:aws:kms:us-east-1:123456789012:key/mrk-1"
    deletion_protection = false
  }

  assert {
    condition     = aws_dynamodb_table.main.name == "meridian-dev-main" && aws_dynamodb_table.main.hash_key == "pk" && aws_dynamodb_table.main.range_key == "sk"
    error_message = "the single table is <name>-main keyed by pk/sk"
  }

  assert {
    condition     = length(aws_dynamodb_table.main.global_secondary_index) == 0
    error_message = "no secondary index: every route is a GetItem or a Query"
  }

  assert {
    condition     = aws_dynamodb_table.main.billing_mode == "PAY_PER_REQUEST" && aws_dynamodb_table.main.stream_view_type == "NEW_AND_OLD_IMAGES"
    error_message = "on-demand, streams with new and old images"
  }

  assert {
    condition     = aws_dynamodb_table.main.point_in_time_recovery[0].enabled
    error_message = "point-in-time recovery is on"
  }

  assert {
    condition     = aws_dynamodb_table.main.server_side_encryption[0].enabled && aws_dynamodb_table.main.server_side_encryption[0].kms_key_arn == var.kms_key_arn
    error_message = "the table is encrypted with the customer-managed key"
  }

  # The inline replica block has no deletion protection (provider 5.100); the replica is an
  # aws_dynamodb_table_replica (run "global_table_replica"), and the two must not be mixed.
  # https://registry.terraform.io/providers/hashicorp/aws/5.100.0/docs/resources/dynamodb_table_replica
  assert {
    condition     = length(aws_dynamodb_table.main.replica) == 0
    error_message = "no inline replica block: the replica is its own resource, with deletion protection"
  }

  assert {
    condition     = aws_dynamodb_table.main.ttl[0].attribute_name == "expires_at" && aws_dynamodb_table.main.ttl[0].enabled
    error_message = "TTL on expires_at"
  }

  assert {
    condition     = !aws_dynamodb_table.main.deletion_protection_enabled
    error_message = "deletion protection follows the variable"
  }
}

# "You must enable deletion protection on each replica": the primary table's flag does not cover
# its replicas, so `terraform destroy` would delete an unprotected replica before failing on the
# protected primary.
# https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/globaltables-bestpractices.html
run "global_table_replica" {
  command = plan

  module {
    source = "./modules/data/modules/replica"
  }

  variables {
    global_table_arn    = "arn:aws:dynamodb:us-east-1:123456789012:table/meridian-prod-main"
    kms_key_arn         = "arn:aws:kms:us-west-2:123456789012:key/mrk-1"
    deletion_protection = true
  }

  assert {
    condition     = aws_dynamodb_table_replica.this.deletion_protection_enabled
    error_message = "the replica has its own deletion protection, from the variable"
  }

  assert {
    condition     = aws_dynamodb_table_replica.this.global_table_arn == var.global_table_arn && aws_dynamodb_table_replica.this.kms_key_arn == var.kms_key_arn && aws_dynamodb_table_replica.this.point_in_time_recovery
    error_message = "the replica replicates the primary table, encrypted with its region's key, with PITR"
  }
}

run "global_table_replica_rejects_a_non_table_arn" {
  command = plan

  module {
    source = "./modules/data/modules/replica"
  }

  variables {
    global_table_arn    = "meridian-prod-main"
    kms_key_arn         = "arn:aws:kms:us-west-2:123456789012:key/mrk-1"
    deletion_protection = true
  }

  expect_failures = [var.global_table_arn]
}

run "user_pool_without_password_auth" {
  command = plan

  module {
    source = "./modules/identity"
  }

  variables {
    name                          = "meridian-dev"
    deletion_protection           = false
    mfa_configuration             = "OPTIONAL"
    password_auth_enabled         = false
    access_token_validity_minutes = 60
    id_token_validity_minutes     = 60
    refresh_token_validity_days   = 30
  }

  assert {
    condition     = aws_cognito_user_pool.main.username_attributes == toset(["email"]) && aws_cognito_user_pool.main.name == "meridian-dev-users"
    error_message = "email is the username"
  }

  assert {
    condition     = aws_cognito_user_pool.main.password_policy[0].minimum_length >= 12 && aws_cognito_user_pool.main.password_policy[0].require_symbols
    error_message = "a strong password policy"
  }

  assert {
    condition     = aws_cognito_user_pool.main.deletion_protection == "INACTIVE" && aws_cognito_user_pool.main.mfa_configuration == "OPTIONAL"
    error_message = "deletion protection off and optional MFA for dev"
  }

  assert {
    condition     = aws_cognito_user_pool_client.app.explicit_auth_flows == toset(["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])
    error_message = "SRP and refresh only, unless password auth is enabled"
  }

  assert {
    condition     = !aws_cognito_user_pool_client.app.generate_secret && aws_cognito_user_pool_client.app.access_token_validity == 60 && aws_cognito_user_pool_client.app.token_validity_units[0].access_token == "minutes"
    error_message = "public client with the configured token validity"
  }

  assert {
    condition     = length(aws_cognito_user_pool_domain.hosted_ui) == 0
    error_message = "no hosted UI without a prefix"
  }

  assert {
    condition     = !aws_cognito_user_pool_client.app.allowed_oauth_flows_user_pool_client && length(output.allowed_oauth_flows) == 0
    error_message = "no OAuth flows without a hosted UI"
  }

  assert {
    condition     = length(aws_cognito_user_pool.main.email_configuration) == 0 && output.email_sending_account == "COGNITO_DEFAULT"
    error_message = "without var.email the pool keeps Cognito's default sender (dev)"
  }
}

run "user_pool_with_password_auth" {
  command = plan

  module {
    source = "./modules/identity"
  }

  variables {
    name                  = "meridian-local"
    deletion_protection   = true
    mfa_configuration     = "OFF"
    password_auth_enabled = true
    domain_prefix         = "meridian-local-login"
    callback_urls         = ["https://app.example.com/signed-in", "http://localhost:3000/callback", "myapp://callback"]
    logout_urls           = ["https://app.example.com/"]
    email = {
      source_arn        = "arn:aws:ses:us-east-1:123456789012:identity/example.com"
      from_address      = "Meridian <no-reply@example.com>"
      configuration_set = "meridian-auth"
    }
    access_token_validity_minutes = 60
    id_token_validity_minutes     = 60
    refresh_token_validity_days   = 30
  }

  assert {
    condition     = contains(aws_cognito_user_pool_client.app.explicit_auth_flows, "ALLOW_USER_PASSWORD_AUTH")
    error_message = "password auth is added when enabled"
  }

  assert {
    condition     = aws_cognito_user_pool.main.deletion_protection == "ACTIVE"
    error_message = "deletion protection switches on"
  }

  assert {
    condition     = aws_cognito_user_pool_domain.hosted_ui["meridian-local-login"].domain == "meridian-local-login"
    error_message = "hosted UI domain when a prefix is given"
  }

  # A hosted UI returns the user to the app only through the client's callback URLs and OAuth flows
  # (https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_CreateUserPoolClient.html).
  assert {
    condition = (
      aws_cognito_user_pool_client.app.allowed_oauth_flows_user_pool_client &&
      toset(aws_cognito_user_pool_client.app.allowed_oauth_flows) == toset(["code"]) &&
      toset(aws_cognito_user_pool_client.app.callback_urls) == toset(var.callback_urls) &&
      toset(aws_cognito_user_pool_client.app.supported_identity_providers) == toset(["COGNITO"]) &&
      contains(aws_cognito_user_pool_client.app.allowed_oauth_scopes, "openid")
    )
    error_message = "the hosted UI's client has the authorization code flow back to the callback URLs"
  }

  # Cognito's default sender has a small daily quota; DEVELOPER sends through the SES identity
  # (https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-email.html).
  assert {
    condition = (
      aws_cognito_user_pool.main.email_configuration[0].email_sending_account == "DEVELOPER" &&
      aws_cognito_user_pool.main.email_configuration[0].source_arn == var.email.source_arn &&
      aws_cognito_user_pool.main.email_configuration[0].from_email_address == var.email.from_address &&
      aws_cognito_user_pool.main.email_configuration[0].configuration_set == "meridian-auth"
    )
    error_message = "with var.email the pool sends through SES (identity, From address, configuration set)"
  }
}

run "hosted_ui_needs_callback_urls" {
  command = plan

  module {
    source = "./modules/identity"
  }

  variables {
    name                          = "meridian-dev"
    deletion_protection           = false
    mfa_configuration             = "OPTIONAL"
    password_auth_enabled         = false
    domain_prefix                 = "meridian-dev-login"
    logout_urls                   = ["https://app.example.com/"]
    access_token_validity_minutes = 60
    id_token_validity_minutes     = 60
    refresh_token_validity_days   = 30
  }

  expect_failures = [var.callback_urls]
}

# "Amazon Cognito requires HTTPS over HTTP except for http://localhost" and no fragment
# (https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_CreateUserPoolClient.html).
run "callback_urls_must_be_https" {
  command = plan

  module {
    source = "./modules/identity"
  }

  variables {
    name                          = "meridian-dev"
    deletion_protection           = false
    mfa_configuration             = "OPTIONAL"
    password_auth_enabled         = false
    domain_prefix                 = "meridian-dev-login"
    callback_urls                 = ["http://app.example.com/callback", "https://app.example.com/#signed-in"]
    access_token_validity_minutes = 60
    id_token_validity_minutes     = 60
    refresh_token_validity_days   = 30
  }

  expect_failures = [var.callback_urls]
}

# One secret per (partner, key id), replicated: decision 3 of the auth design (per-partner keys
# selected by the token's kid). Replicas: https://docs.aws.amazon.com/secretsmanager/latest/userguide/create-manage-multi-region-secrets.html
run "partner_key_secrets" {
  command = plan

  module {
    source = "./modules/secrets"
  }

  variables {
    name                 = "meridian-dev"
    kms_key_arn          = "arn:aws:kms:us-east-1:123456789012:key/mrk-1"
    replica_region       = "us-west-2"
    replica_kms_key_arn  = "arn:aws:kms:us-west-2:123456789012:key/mrk-1"
    recovery_window_days = 0
    partner_keys = {
      "acme/k1"   = { partner = "acme", key_id = "k1" }
      "acme/k2"   = { partner = "acme", key_id = "k2" }
      "globex/k1" = { partner = "globex", key_id = "k1" }
    }
  }

  assert {
    condition = { for key, secret in aws_secretsmanager_secret.partner_key : key => secret.name } == {
      "acme/k1"   = "meridian-dev/partner-keys/acme/k1"
      "acme/k2"   = "meridian-dev/partner-keys/acme/k2"
      "globex/k1" = "meridian-dev/partner-keys/globex/k1"
    }
    error_message = "one secret per (partner, key id), named <name>/partner-keys/<partner>/<key id>"
  }

  assert {
    condition     = output.name_prefix == "meridian-dev/partner-keys/" && alltrue([for name in values(output.secret_names) : startswith(name, output.name_prefix)])
    error_message = "every partner key secret shares the prefix the authorizer is allowed to read"
  }

  assert {
    condition     = alltrue([for secret in aws_secretsmanager_secret.partner_key : secret.kms_key_id == var.kms_key_arn])
    error_message = "the secrets are encrypted with the customer-managed key"
  }

  assert {
    condition = alltrue([for secret in aws_secretsmanager_secret.partner_key :
    anytrue([for replica in secret.replica : replica.region == "us-west-2" && replica.kms_key_id == var.replica_kms_key_arn])])
    error_message = "every secret is replicated to the secondary region with its key"
  }

  assert {
    condition     = alltrue([for secret in aws_secretsmanager_secret.partner_key : secret.recovery_window_in_days == 0])
    error_message = "dev secrets are deleted at once"
  }
}

run "no_partners_no_secrets" {
  command = plan

  module {
    source = "./modules/secrets"
  }

  variables {
    name                 = "meridian-dev"
    kms_key_arn          = "arn:aws:kms:us-east-1:123456789012:key/mrk-1"
    replica_region       = "us-west-2"
    replica_kms_key_arn  = "arn:aws:kms:us-west-2:123456789012:key/mrk-1"
    recovery_window_days = 0
  }

  assert {
    condition     = length(aws_secretsmanager_secret.partner_key) == 0 && output.secret_names == {}
    error_message = "without partners there is no secret (no shared key any more)"
  }
}

run "recovery_window_is_validated" {
  command = plan

  module {
    source = "./modules/secrets"
  }

  variables {
    name                 = "meridian-dev"
    kms_key_arn          = "arn:aws:kms:us-east-1:123456789012:key/mrk-1"
    replica_region       = "us-west-2"
    replica_kms_key_arn  = "arn:aws:kms:us-west-2:123456789012:key/mrk-1"
    recovery_window_days = 3
  }

  expect_failures = [var.recovery_window_days]
}

run "kms_primary_key" {
  command = plan

  module {
    source = "./modules/kms"
  }

  variables {
    name = "meridian-dev"
  }

  assert {
    condition     = aws_kms_key.primary[0].multi_region && aws_kms_key.primary[0].enable_key_rotation && length(aws_kms_replica_key.replica) == 0
    error_message = "a rotating multi-region primary key"
  }

  assert {
    condition     = aws_kms_alias.key.name == "alias/meridian-dev"
    error_message = "the alias carries the environment"
  }

  assert {
    condition     = aws_kms_key.primary[0].deletion_window_in_days == 7 && output.deletion_window_days == 7
    error_message = "the deletion window defaults to AWS's shortest, 7 days"
  }

  assert {
    condition = alltrue(flatten([
      for statement in data.aws_iam_policy_document.key.statement : [for action in statement.actions : !strcontains(action, "*")]
    ]))
    error_message = "no * in key policy actions (Resource * in a key policy means the key itself)"
  }
}

run "kms_replica_key" {
  command = plan

  module {
    source = "./modules/kms"
  }

  variables {
    name                 = "meridian-prod"
    replica              = true
    replicate_key_arn    = "arn:aws:kms:us-east-1:123456789012:key/mrk-1"
    deletion_window_days = 30
  }

  assert {
    condition     = length(aws_kms_key.primary) == 0 && aws_kms_replica_key.replica[0].primary_key_arn == var.replicate_key_arn
    error_message = "the replica replicates the primary key"
  }

  # A replica key has its own waiting period (https://docs.aws.amazon.com/kms/latest/developerguide/deleting-keys.html).
  assert {
    condition     = aws_kms_replica_key.replica[0].deletion_window_in_days == 30
    error_message = "the replica key's deletion window follows the variable"
  }
}

run "edge_without_custom_domain" {
  command = plan

  module {
    source = "./modules/edge"
  }

  variables {
    name        = "meridian-dev"
    environment = "dev"
    origin_domains = {
      us-east-1 = "abcdef1234.execute-api.us-east-1.amazonaws.com"
      us-west-2 = "bcdefa2345.execute-api.us-west-2.amazonaws.com"
    }
    active_region              = "us-east-1"
    origin_verify_header_name  = "X-Origin-Verify"
    origin_verify_header_value = "00000000-0000-4000-8000-000000000000"
    waf_rate_limit             = 10000
    price_class                = "PriceClass_100"
    log_retention_days         = 90
    kms_key_arn                = "arn:aws:kms:us-east-1:123456789012:key/mrk-2"
  }

  assert {
    condition     = aws_wafv2_web_acl.edge.scope == "CLOUDFRONT" && aws_cloudfront_distribution.api.web_acl_id == aws_wafv2_web_acl.edge.arn
    error_message = "a CLOUDFRONT-scope web ACL on the distribution"
  }

  assert {
    condition = toset(flatten([
      for rule in aws_wafv2_web_acl.edge.rule : [for group in rule.statement[0].managed_rule_group_statement : group.name]
      ])) == toset([
      "AWSManagedRulesCommonRuleSet", "AWSManagedRulesSQLiRuleSet", "AWSManagedRulesKnownBadInputsRuleSet", "AWSManagedRulesAnonymousIpList",
    ])
    error_message = "Common (XSS), SQLi, KnownBadInputs and AnonymousIp managed rule groups"
  }

  assert {
    condition = one([
      for rule in aws_wafv2_web_acl.edge.rule : rule.statement[0].rate_based_statement[0]
      if length(rule.statement[0].rate_based_statement) > 0
    ]).limit == 10000
    error_message = "rate-based rule at waf_rate_limit per IP"
  }

  assert {
    condition = one([
      for rule in aws_wafv2_web_acl.edge.rule : rule.statement[0].rate_based_statement[0]
      if length(rule.statement[0].rate_based_statement) > 0
    ]).evaluation_window_sec == 300
    error_message = "the rate limit's window defaults to AWS's own default, 300 s"
  }

  assert {
    condition     = startswith(aws_cloudwatch_log_group.waf.name, "aws-waf-logs-") && aws_cloudwatch_log_group.waf.kms_key_id == var.kms_key_arn && aws_cloudwatch_log_group.waf.retention_in_days >= 90
    error_message = "WAF logs go to an encrypted aws-waf-logs-* group kept 90+ days"
  }

  # Item 7. WAF logs every header unless redacted
  # (https://docs.aws.amazon.com/waf/latest/developerguide/logging-management.html): bearer tokens
  # and API keys must not be kept in the logs.
  assert {
    condition     = toset([for field in aws_wafv2_web_acl_logging_configuration.edge.redacted_fields : one(field.single_header).name]) == toset(["authorization", "x-api-key"])
    error_message = "the edge WAF logs redact the Authorization and X-Api-Key headers"
  }

  assert {
    condition     = aws_cloudfront_distribution.api.default_cache_behavior[0].viewer_protocol_policy == "redirect-to-https" && aws_cloudfront_distribution.api.default_cache_behavior[0].compress
    error_message = "HTTPS only (redirect) and compression"
  }

  # Item 2. With the default *.cloudfront.net certificate AWS stores MinimumProtocolVersion = TLSv1
  # whatever is sent (https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_ViewerCertificate.html):
  # configure exactly that, or every plan shows a change. The real floor in this mode is TLSv1.
  assert {
    condition     = aws_cloudfront_distribution.api.viewer_certificate[0].cloudfront_default_certificate && aws_cloudfront_distribution.api.viewer_certificate[0].minimum_protocol_version == "TLSv1"
    error_message = "with the cloudfront.net certificate the configured minimum is what AWS stores: TLSv1"
  }

  # Item 1. AWS refuses an origin group on a behaviour that allows POST, PUT, PATCH or DELETE
  # ("The parameter AllowedMethods cannot include POST, PUT, PATCH, or DELETE for a cached behavior
  # associated with an origin group";
  # https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/high_availability_origin_failover.html).
  # Write to one Region: every behaviour targets the active region's origin, no origin group.
  assert {
    condition     = length(aws_cloudfront_distribution.api.origin_group) == 0
    error_message = "no origin group: writes reach exactly one origin"
  }

  assert {
    condition = alltrue([
      for behaviour in concat(aws_cloudfront_distribution.api.default_cache_behavior, aws_cloudfront_distribution.api.ordered_cache_behavior) :
      behaviour.target_origin_id == "api-meridian-dev-us-east-1"
    ])
    error_message = "every behaviour (all methods) targets the active region's origin"
  }

  assert {
    condition     = toset([for origin in aws_cloudfront_distribution.api.origin : origin.domain_name]) == toset(values(var.origin_domains))
    error_message = "one origin per region (the standby is declared for a quick flip)"
  }

  assert {
    condition     = alltrue([for origin in aws_cloudfront_distribution.api.origin : anytrue([for header in origin.custom_header : header.name == "X-Origin-Verify" && header.value == var.origin_verify_header_value])])
    error_message = "every origin request carries the origin-verify header"
  }

  # Item 3. CloudFront caches 4xx/5xx for 10 s by default
  # (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/custom-error-pages-expiration.html);
  # every status that can carry a custom error response gets error_caching_min_ttl = 0
  # (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/HTTPStatusCodes.html#HTTPStatusCodes-cached-errors).
  assert {
    condition = {
      for response in aws_cloudfront_distribution.api.custom_error_response : response.error_code => response.error_caching_min_ttl
      } == {
      400 = 0, 403 = 0, 404 = 0, 405 = 0, 414 = 0, 416 = 0, 500 = 0, 501 = 0, 502 = 0, 503 = 0, 504 = 0
    }
    error_message = "no error status the API can return is cached (error_caching_min_ttl 0 for every allowed 4xx/5xx)"
  }

  # Item 18. Custom cache and origin request policies count against 20-per-account quotas
  # (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/cloudfront-limits.html#limits-policies):
  # the managed CachingDisabled and AllViewerExceptHostHeader policies (fixed AWS ids,
  # https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/using-managed-cache-policies.html,
  # https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/using-managed-origin-request-policies.html).
  assert {
    condition = alltrue([
      for behaviour in concat(aws_cloudfront_distribution.api.default_cache_behavior, aws_cloudfront_distribution.api.ordered_cache_behavior) :
      behaviour.cache_policy_id == "4135ea2d-6df8-44a3-9df3-4b5a84be39ad" && behaviour.origin_request_policy_id == "b689b0a8-53d0-40ab-baf2-68738e2966ac"
    ])
    error_message = "every behaviour uses the managed CachingDisabled cache policy and AllViewerExceptHostHeader origin request policy"
  }

  assert {
    condition     = aws_cloudfront_response_headers_policy.security.security_headers_config[0].strict_transport_security[0].access_control_max_age_sec >= 31536000
    error_message = "HSTS for at least a year"
  }

  assert {
    condition     = aws_sns_topic.alarms.kms_master_key_id == var.kms_key_arn && length(aws_cloudwatch_metric_alarm.health_check) == 0
    error_message = "encrypted edge topic; no health-check alarms without health checks"
  }
}

# Decision 1: failover = flip active_region and apply; everything then goes to the other origin.
run "edge_failover_flips_every_behaviour" {
  command = plan

  module {
    source = "./modules/edge"
  }

  variables {
    name        = "meridian-dev"
    environment = "dev"
    origin_domains = {
      us-east-1 = "abcdef1234.execute-api.us-east-1.amazonaws.com"
      us-west-2 = "bcdefa2345.execute-api.us-west-2.amazonaws.com"
    }
    active_region              = "us-west-2"
    origin_verify_header_name  = "X-Origin-Verify"
    origin_verify_header_value = "00000000-0000-4000-8000-000000000000"
    waf_rate_limit             = 10000
    price_class                = "PriceClass_100"
    log_retention_days         = 90
    kms_key_arn                = "arn:aws:kms:us-east-1:123456789012:key/mrk-2"
  }

  assert {
    condition = alltrue([
      for behaviour in concat(aws_cloudfront_distribution.api.default_cache_behavior, aws_cloudfront_distribution.api.ordered_cache_behavior) :
      behaviour.target_origin_id == "api-meridian-dev-us-west-2"
    ])
    error_message = "with active_region = us-west-2 every behaviour targets us-west-2"
  }
}

run "edge_active_region_must_be_an_origin" {
  command = plan

  module {
    source = "./modules/edge"
  }

  variables {
    name        = "meridian-dev"
    environment = "dev"
    origin_domains = {
      us-east-1 = "abcdef1234.execute-api.us-east-1.amazonaws.com"
      us-west-2 = "bcdefa2345.execute-api.us-west-2.amazonaws.com"
    }
    active_region              = "eu-west-1"
    origin_verify_header_name  = "X-Origin-Verify"
    origin_verify_header_value = "00000000-0000-4000-8000-000000000000"
    waf_rate_limit             = 10000
    price_class                = "PriceClass_100"
    log_retention_days         = 90
    kms_key_arn                = "arn:aws:kms:us-east-1:123456789012:key/mrk-2"
  }

  expect_failures = [var.active_region]
}

run "edge_with_custom_domain" {
  command = plan

  module {
    source = "./modules/edge"
  }

  variables {
    name        = "meridian-prod"
    environment = "prod"
    origin_domains = {
      us-east-1 = "abcdef1234.execute-api.us-east-1.amazonaws.com"
      us-west-2 = "bcdefa2345.execute-api.us-west-2.amazonaws.com"
    }
    active_region              = "us-east-1"
    domain_name                = "api.example.com"
    zone_id                    = "Z0123456789ABCDEFGHIJ"
    origin_verify_header_name  = "X-Origin-Verify"
    origin_verify_header_value = "00000000-0000-4000-8000-000000000000"
    waf_rate_limit             = 2000
    price_class                = "PriceClass_All"
    log_retention_days         = 365
    kms_key_arn                = "arn:aws:kms:us-east-1:123456789012:key/mrk-2"
    health_check_ids           = { us-east-1 = "hc-1", us-west-2 = "hc-2" }
  }

  assert {
    condition     = aws_cloudfront_distribution.api.aliases == toset(["api.example.com"]) && aws_cloudfront_distribution.api.viewer_certificate[0].ssl_support_method == "sni-only"
    error_message = "the custom domain is served with its own certificate"
  }

  # Item 2: with an ACM certificate (SNI) the stored minimum is what is sent: TLS 1.2.
  assert {
    condition     = !aws_cloudfront_distribution.api.viewer_certificate[0].cloudfront_default_certificate && aws_cloudfront_distribution.api.viewer_certificate[0].minimum_protocol_version == "TLSv1.2_2021"
    error_message = "TLS 1.2 minimum (TLSv1.2_2021) with the custom domain's certificate"
  }

  # Item 1 with a custom domain: the origin is still the active region's execute-api endpoint (no
  # latency-routed origin name that could send writes to either region).
  assert {
    condition     = length(aws_cloudfront_distribution.api.origin_group) == 0 && aws_cloudfront_distribution.api.default_cache_behavior[0].target_origin_id == "api-meridian-prod-us-east-1" && toset([for origin in aws_cloudfront_distribution.api.origin : origin.domain_name]) == toset(values(var.origin_domains))
    error_message = "with a custom domain the origins are still the execute-api endpoints and the active one takes everything"
  }

  # Item 9: every AAAA record aliases the distribution, which is dual-stack (is_ipv6_enabled);
  # API Gateway custom domains are IPv4-only by default and no longer exist in this stack
  # (https://docs.aws.amazon.com/apigateway/latest/developerguide/rest-custom-domain-ip-address-type.html).
  assert {
    condition     = toset(keys(aws_route53_record.alias)) == toset(["A", "AAAA"]) && aws_cloudfront_distribution.api.is_ipv6_enabled
    error_message = "A and AAAA alias records for a dual-stack (IPv6-enabled) distribution"
  }

  assert {
    condition     = length(aws_cloudwatch_metric_alarm.health_check) == 2
    error_message = "one health-check alarm per region"
  }
}

run "dns_health_checks" {
  command = plan

  module {
    source = "./modules/dns"
  }

  variables {
    name           = "meridian-prod"
    domain_name    = "api.example.com"
    hosted_zone_id = "Z0123456789ABCDEFGHIJ"
    health_check_targets = {
      us-east-1 = "abcdef1234.execute-api.us-east-1.amazonaws.com"
      us-west-2 = "bcdefa2345.execute-api.us-west-2.amazonaws.com"
    }
  }

  assert {
    condition     = { for region, check in aws_route53_health_check.region : region => "${check.fqdn}${check.resource_path}" } == { us-east-1 = "abcdef1234.execute-api.us-east-1.amazonaws.com/v1/health", us-west-2 = "bcdefa2345.execute-api.us-west-2.amazonaws.com/v1/health" }
    error_message = "each region's own execute-api /v1/health is health-checked"
  }
}

# The stack never creates a zone: the one given must hold the domain (the mock zone is example.com).
run "dns_zone_must_hold_the_domain" {
  command = plan

  module {
    source = "./modules/dns"
  }

  variables {
    name           = "meridian-prod"
    domain_name    = "api.example.org"
    hosted_zone_id = "Z0123456789ABCDEFGHIJ"
  }

  expect_failures = [data.aws_route53_zone.api]
}

run "dashboard" {
  command = plan

  module {
    source = "./modules/observability"
  }

  variables {
    name              = "meridian-dev"
    table_name        = "meridian-dev-main"
    distribution_id   = "EDFDVBD6EXAMPLE"
    edge_web_acl_name = "meridian-dev-edge"
    regions = {
      us-east-1 = { api_name = "meridian-dev-api", stage_name = "v1", function_names = { profiles = "meridian-dev-profiles" }, web_acl_name = "meridian-dev-api-us-east-1" }
      us-west-2 = { api_name = "meridian-dev-api", stage_name = "v1", function_names = { profiles = "meridian-dev-profiles" }, web_acl_name = "meridian-dev-api-us-west-2" }
    }
  }

  assert {
    condition = alltrue([for title in [
      "API requests and errors (us-east-1)", "API latency p50 / p99 (us-west-2)", "Lambda invocations (us-east-1)",
      "Lambda errors (us-west-2)", "Lambda throttles (us-east-1)", "Lambda duration p99 (us-east-1)", "Lambda concurrency (us-west-2)",
      "DynamoDB capacity and throttles (us-east-1)", "DynamoDB latency (us-west-2)", "CloudFront requests and error rates", "WAF allowed / blocked requests",
    ] : contains(output.widget_titles, title)])
    error_message = "the dashboard covers API, Lambda, DynamoDB, CloudFront and WAF in both regions"
  }

  assert {
    condition     = strcontains(aws_cloudwatch_dashboard.main.dashboard_body, "ReplicationLatency") && strcontains(aws_cloudwatch_dashboard.main.dashboard_body, "SuccessfulRequestLatency") && strcontains(aws_cloudwatch_dashboard.main.dashboard_body, "\"p99\"")
    error_message = "replication latency, request latency and p99 are on the dashboard"
  }
}
