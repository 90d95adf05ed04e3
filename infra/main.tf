locals {
  name               = "${var.project}-${var.environment}"
  lambda_package_dir = coalesce(var.lambda_package_dir, "${path.root}/../build/lambda")
  # Written by scripts/build_lambda.py next to the zips; checked by the lambda_build output.
  lambda_build = jsondecode(file("${local.lambda_package_dir}/build.json"))

  # CloudFront adds this header to every origin request; each regional WAF blocks requests
  # without it, so the regional endpoints cannot be used to bypass CloudFront's WAF.
  origin_verify_header_name = "X-Origin-Verify"
}

# The origin-verify value: a random UUID generated once, kept in Terraform state (CloudFront's
# custom header value lands in state anyway) and never in code or tfvars. Replace this resource
# (terraform apply -replace=terraform_data.origin_verify) to rotate it.
resource "terraform_data" "origin_verify" {
  input = uuid()

  lifecycle {
    ignore_changes = [input]
  }
}

module "kms_primary" {
  source = "./modules/kms"

  name                 = local.name
  deletion_window_days = var.kms_deletion_window_days
}

module "kms_secondary" {
  source = "./modules/kms"

  providers = {
    aws = aws.secondary
  }

  name                 = local.name
  replica              = true
  replicate_key_arn    = module.kms_primary.key_arn
  deletion_window_days = var.kms_deletion_window_days
}

module "data" {
  source = "./modules/data"

  name                = local.name
  kms_key_arn         = module.kms_primary.key_arn
  deletion_protection = var.deletion_protection
}

# The table's replica in the secondary region, with its own deletion protection (AWS protects each
# replica separately: see modules/data/modules/replica).
module "data_replica" {
  source = "./modules/data/modules/replica"

  providers = {
    aws = aws.secondary
  }

  global_table_arn    = module.data.table_arn
  kms_key_arn         = module.kms_secondary.key_arn
  deletion_protection = var.deletion_protection
}

module "identity" {
  source = "./modules/identity"

  name                          = local.name
  deletion_protection           = var.deletion_protection
  mfa_configuration             = var.cognito_mfa_configuration
  password_auth_enabled         = var.cognito_password_auth_enabled
  domain_prefix                 = var.cognito_domain_prefix
  callback_urls                 = var.cognito_callback_urls
  logout_urls                   = var.cognito_logout_urls
  email                         = var.cognito_email
  access_token_validity_minutes = var.cognito_access_token_validity_minutes
  id_token_validity_minutes     = var.cognito_id_token_validity_minutes
  refresh_token_validity_days   = var.cognito_refresh_token_validity_days
}

module "secrets" {
  source = "./modules/secrets"

  name                 = local.name
  kms_key_arn          = module.kms_primary.key_arn
  replica_region       = var.secondary_region
  replica_kms_key_arn  = module.kms_secondary.key_arn
  recovery_window_days = var.secret_recovery_window_days
}

module "partner_signing_key" {
  source = "./modules/secret_value"

  providers = {
    aws = aws.secret_writer
  }

  secret_id     = module.secrets.secret_arn
  value_version = var.partner_secret_version
}

locals {
  # Everything both regional APIs share; only the region-specific inputs differ below.
  regional_api_inputs = {
    name                          = local.name
    project                       = var.project
    environment                   = var.environment
    openapi_template_path         = "${path.module}/api/openapi.yaml"
    schema_dir                    = "${path.module}/../src/meridian/schemas"
    lambda_package_dir            = local.lambda_package_dir
    lambda_runtime                = var.lambda_runtime
    lambda_memory_mb              = var.lambda_memory_mb
    lambda_timeout_seconds        = var.lambda_timeout_seconds
    lambda_reserved_concurrency   = var.lambda_reserved_concurrency
    log_level                     = var.log_level
    log_retention_days            = var.log_retention_days
    table_name                    = module.data.table_name
    user_pool_arn                 = module.identity.user_pool_arn
    user_pool_id                  = module.identity.user_pool_id
    app_client_ids                = [module.identity.client_id]
    session_ttl_seconds           = var.session_ttl_seconds
    max_transaction_amount        = var.max_transaction_amount
    idempotency_ttl_seconds       = var.idempotency_ttl_seconds
    partner_secret_ttl_seconds    = var.partner_secret_ttl_seconds
    throttling_rate_limit         = var.api_throttling_rate_limit
    throttling_burst_limit        = var.api_throttling_burst_limit
    authorizer_result_ttl_seconds = var.authorizer_result_ttl_seconds
    cors_allow_origin             = var.cors_allow_origin
    partner_names                 = var.partner_names
    partner_quota_per_day         = var.partner_quota_per_day
    alarm_emails                  = var.alarm_emails
    alarm_api_5xx_rate_percent    = var.alarm_api_5xx_rate_percent
    alarm_api_p99_latency_ms      = var.alarm_api_p99_latency_ms
    alarm_replication_latency_ms  = var.alarm_replication_latency_ms
    xray_sampling_rate            = var.xray_sampling_rate
  }
}

# One module block per region: provider configurations cannot be chosen with for_each.
module "regional_api_primary" {
  source = "./modules/regional_api"

  providers = {
    aws = aws
  }

  name                          = local.regional_api_inputs.name
  project                       = local.regional_api_inputs.project
  environment                   = local.regional_api_inputs.environment
  openapi_template_path         = local.regional_api_inputs.openapi_template_path
  schema_dir                    = local.regional_api_inputs.schema_dir
  lambda_package_dir            = local.regional_api_inputs.lambda_package_dir
  lambda_runtime                = local.regional_api_inputs.lambda_runtime
  lambda_memory_mb              = local.regional_api_inputs.lambda_memory_mb
  lambda_timeout_seconds        = local.regional_api_inputs.lambda_timeout_seconds
  lambda_reserved_concurrency   = local.regional_api_inputs.lambda_reserved_concurrency
  log_level                     = local.regional_api_inputs.log_level
  log_retention_days            = local.regional_api_inputs.log_retention_days
  table_name                    = local.regional_api_inputs.table_name
  user_pool_arn                 = local.regional_api_inputs.user_pool_arn
  user_pool_id                  = local.regional_api_inputs.user_pool_id
  app_client_ids                = local.regional_api_inputs.app_client_ids
  session_ttl_seconds           = local.regional_api_inputs.session_ttl_seconds
  max_transaction_amount        = local.regional_api_inputs.max_transaction_amount
  idempotency_ttl_seconds       = local.regional_api_inputs.idempotency_ttl_seconds
  partner_secret_ttl_seconds    = local.regional_api_inputs.partner_secret_ttl_seconds
  throttling_rate_limit         = local.regional_api_inputs.throttling_rate_limit
  throttling_burst_limit        = local.regional_api_inputs.throttling_burst_limit
  authorizer_result_ttl_seconds = local.regional_api_inputs.authorizer_result_ttl_seconds
  cors_allow_origin             = local.regional_api_inputs.cors_allow_origin
  partner_names                 = local.regional_api_inputs.partner_names
  partner_quota_per_day         = local.regional_api_inputs.partner_quota_per_day
  alarm_emails                  = local.regional_api_inputs.alarm_emails
  alarm_api_5xx_rate_percent    = local.regional_api_inputs.alarm_api_5xx_rate_percent
  alarm_api_p99_latency_ms      = local.regional_api_inputs.alarm_api_p99_latency_ms
  alarm_replication_latency_ms  = local.regional_api_inputs.alarm_replication_latency_ms
  xray_sampling_rate            = local.regional_api_inputs.xray_sampling_rate

  kms_key_arn                = module.kms_primary.key_arn
  secret_arn                 = module.secrets.secret_arn
  peer_region                = var.secondary_region
  origin_verify_header_name  = local.origin_verify_header_name
  origin_verify_header_value = terraform_data.origin_verify.output
}

module "regional_api_secondary" {
  source = "./modules/regional_api"

  providers = {
    aws = aws.secondary
  }

  name                          = local.regional_api_inputs.name
  project                       = local.regional_api_inputs.project
  environment                   = local.regional_api_inputs.environment
  openapi_template_path         = local.regional_api_inputs.openapi_template_path
  schema_dir                    = local.regional_api_inputs.schema_dir
  lambda_package_dir            = local.regional_api_inputs.lambda_package_dir
  lambda_runtime                = local.regional_api_inputs.lambda_runtime
  lambda_memory_mb              = local.regional_api_inputs.lambda_memory_mb
  lambda_timeout_seconds        = local.regional_api_inputs.lambda_timeout_seconds
  lambda_reserved_concurrency   = local.regional_api_inputs.lambda_reserved_concurrency
  log_level                     = local.regional_api_inputs.log_level
  log_retention_days            = local.regional_api_inputs.log_retention_days
  table_name                    = local.regional_api_inputs.table_name
  user_pool_arn                 = local.regional_api_inputs.user_pool_arn
  user_pool_id                  = local.regional_api_inputs.user_pool_id
  app_client_ids                = local.regional_api_inputs.app_client_ids
  session_ttl_seconds           = local.regional_api_inputs.session_ttl_seconds
  max_transaction_amount        = local.regional_api_inputs.max_transaction_amount
  idempotency_ttl_seconds       = local.regional_api_inputs.idempotency_ttl_seconds
  partner_secret_ttl_seconds    = local.regional_api_inputs.partner_secret_ttl_seconds
  throttling_rate_limit         = local.regional_api_inputs.throttling_rate_limit
  throttling_burst_limit        = local.regional_api_inputs.throttling_burst_limit
  authorizer_result_ttl_seconds = local.regional_api_inputs.authorizer_result_ttl_seconds
  cors_allow_origin             = local.regional_api_inputs.cors_allow_origin
  partner_names                 = local.regional_api_inputs.partner_names
  partner_quota_per_day         = local.regional_api_inputs.partner_quota_per_day
  alarm_emails                  = local.regional_api_inputs.alarm_emails
  alarm_api_5xx_rate_percent    = local.regional_api_inputs.alarm_api_5xx_rate_percent
  alarm_api_p99_latency_ms      = local.regional_api_inputs.alarm_api_p99_latency_ms
  alarm_replication_latency_ms  = local.regional_api_inputs.alarm_replication_latency_ms
  xray_sampling_rate            = local.regional_api_inputs.xray_sampling_rate

  kms_key_arn                = module.kms_secondary.key_arn
  secret_arn                 = module.secrets.replica_secret_arn
  peer_region                = var.primary_region
  origin_verify_header_name  = local.origin_verify_header_name
  origin_verify_header_value = terraform_data.origin_verify.output
}

# ---------------------------------------------------------------------------------------------
# Edge (us-east-1): CloudFront, its WAF, its certificate and the alarms on us-east-1-only metrics
# ---------------------------------------------------------------------------------------------
locals {
  custom_domain         = var.domain_name != null
  latency_origin_domain = local.custom_domain ? "origin.${var.domain_name}" : null
  domain_instances      = local.custom_domain ? { (var.domain_name) = true } : {}
}

module "kms_edge" {
  source = "./modules/kms"

  providers = {
    aws = aws.us_east_1
  }

  name                 = "${local.name}-edge"
  deletion_window_days = var.kms_deletion_window_days
}

module "dns" {
  source   = "./modules/dns"
  for_each = local.domain_instances

  name           = local.name
  domain_name    = each.key
  hosted_zone_id = var.hosted_zone_id
}

module "regional_domain_primary" {
  source   = "./modules/regional_domain"
  for_each = local.domain_instances

  name               = local.name
  origin_domain_name = local.latency_origin_domain
  zone_id            = module.dns[each.key].zone_id
  rest_api_id        = module.regional_api_primary.rest_api_id
  stage_name         = module.regional_api_primary.stage_name
  execute_api_domain = module.regional_api_primary.execute_api_domain
}

module "regional_domain_secondary" {
  source   = "./modules/regional_domain"
  for_each = local.domain_instances

  providers = {
    aws = aws.secondary
  }

  name               = local.name
  origin_domain_name = local.latency_origin_domain
  zone_id            = module.dns[each.key].zone_id
  rest_api_id        = module.regional_api_secondary.rest_api_id
  stage_name         = module.regional_api_secondary.stage_name
  execute_api_domain = module.regional_api_secondary.execute_api_domain
}

module "edge" {
  source = "./modules/edge"

  providers = {
    aws = aws.us_east_1
  }

  name                       = local.name
  environment                = var.environment
  primary_origin_domain      = module.regional_api_primary.execute_api_domain
  secondary_origin_domain    = module.regional_api_secondary.execute_api_domain
  domain_name                = var.domain_name
  zone_id                    = local.custom_domain ? module.dns[var.domain_name].zone_id : null
  latency_origin_domain      = local.latency_origin_domain
  stage_path                 = "/${module.regional_api_primary.stage_name}"
  origin_verify_header_name  = local.origin_verify_header_name
  origin_verify_header_value = terraform_data.origin_verify.output
  waf_rate_limit             = var.waf_rate_limit
  price_class                = var.cloudfront_price_class
  wait_for_deployment        = var.cloudfront_wait_for_deployment
  log_retention_days         = var.log_retention_days
  kms_key_arn                = module.kms_edge.key_arn
  alarm_emails               = var.alarm_emails
  health_check_ids = merge(
    { for domain, instance in module.regional_domain_primary : var.primary_region => instance.health_check_id },
    { for domain, instance in module.regional_domain_secondary : var.secondary_region => instance.health_check_id },
  )
}

module "observability" {
  source = "./modules/observability"

  name              = local.name
  table_name        = module.data.table_name
  distribution_id   = module.edge.distribution_id
  edge_web_acl_name = module.edge.web_acl_name
  regions = {
    (var.primary_region) = {
      api_name       = module.regional_api_primary.rest_api_name
      stage_name     = module.regional_api_primary.stage_name
      function_names = module.regional_api_primary.function_names
      web_acl_name   = module.regional_api_primary.web_acl_name
    }
    (var.secondary_region) = {
      api_name       = module.regional_api_secondary.rest_api_name
      stage_name     = module.regional_api_secondary.stage_name
      function_names = module.regional_api_secondary.function_names
      web_acl_name   = module.regional_api_secondary.web_acl_name
    }
  }
}
