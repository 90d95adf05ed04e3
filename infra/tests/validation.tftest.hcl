# Wrong values fail at plan time, not halfway through an apply.
mock_provider "aws" {
  source          = "./tests/mocks"
  override_during = plan
}

mock_provider "aws" {
  alias           = "secondary"
  source          = "./tests/mocks"
  override_during = plan
}

mock_provider "aws" {
  alias           = "us_east_1"
  source          = "./tests/mocks"
  override_during = plan
}

provider "aws" {
  alias                       = "secret_writer"
  region                      = "us-east-1"
  access_key                  = "offline-test"
  secret_key                  = "offline-test"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
}

override_module {
  target = module.partner_signing_key
  outputs = {
    version_id = "00000000-0000-0000-0000-000000000001"
  }
}

variables {
  environment = "dev"
}

# Each run sets several independent wrong values; every one of them must be rejected (a listed
# failure that does not happen fails the run). Values of the same variable need runs of their own.
run "rejects_malformed_names_and_sizes" {
  command = plan
  variables {
    environment                 = "Dev"
    project                     = "meridian-platform"
    primary_region              = "useast1"
    lambda_runtime              = "python3.9"
    api_throttling_rate_limit   = 0
    waf_rate_limit              = 50
    log_retention_days          = 30
    secret_recovery_window_days = 3
    lambda_timeout_seconds      = 60
    lambda_reserved_concurrency = { payments = 10 }
    domain_name                 = "https://api.example.com"
    alarm_emails                = ["not-an-address"]
    cors_allow_origin           = "app.example.com/*"
    cognito_mfa_configuration   = "SMS"
    max_transaction_amounts     = { USD = "1e6", XXX = "10", JPY = "10.5" }
  }
  expect_failures = [
    var.environment,
    var.project,
    var.primary_region,
    var.lambda_runtime,
    var.api_throttling_rate_limit,
    var.waf_rate_limit,
    var.log_retention_days,
    var.secret_recovery_window_days,
    var.lambda_timeout_seconds,
    var.lambda_reserved_concurrency,
    var.domain_name,
    var.hosted_zone_id, # domain_name without a zone (the stack never creates one)
    var.alarm_emails,
    var.cors_allow_origin,
    var.cognito_mfa_configuration,
    var.max_transaction_amounts,
  ]
}

run "rejects_environment_with_underscore_and_equal_regions" {
  command = plan
  variables {
    environment      = "pr_123"
    primary_region   = "eu-west-1"
    secondary_region = "eu-west-1"
  }
  expect_failures = [var.environment, var.secondary_region]
}

run "rejects_environment_ending_with_dash_and_burst_below_rate" {
  command = plan
  variables {
    environment                = "pr-"
    api_throttling_rate_limit  = 5000
    api_throttling_burst_limit = 100
  }
  expect_failures = [var.environment, var.api_throttling_burst_limit]
}
