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

run "environment_with_uppercase" {
  command = plan
  variables {
    environment = "Dev"
  }
  expect_failures = [var.environment]
}

run "environment_with_underscore" {
  command = plan
  variables {
    environment = "pr_123"
  }
  expect_failures = [var.environment]
}

run "environment_ending_with_dash" {
  command = plan
  variables {
    environment = "pr-"
  }
  expect_failures = [var.environment]
}

run "project_too_long" {
  command = plan
  variables {
    project = "meridian-platform"
  }
  expect_failures = [var.project]
}

run "regions_equal" {
  command = plan
  variables {
    primary_region   = "eu-west-1"
    secondary_region = "eu-west-1"
  }
  expect_failures = [var.secondary_region]
}

run "region_malformed" {
  command = plan
  variables {
    primary_region = "useast1"
  }
  expect_failures = [var.primary_region]
}

run "runtime_unsupported" {
  command = plan
  variables {
    lambda_runtime = "python3.9"
  }
  expect_failures = [var.lambda_runtime]
}

run "throttling_rate_zero" {
  command = plan
  variables {
    api_throttling_rate_limit = 0
  }
  expect_failures = [var.api_throttling_rate_limit]
}

run "throttling_burst_below_rate" {
  command = plan
  variables {
    api_throttling_rate_limit  = 5000
    api_throttling_burst_limit = 100
  }
  expect_failures = [var.api_throttling_burst_limit]
}

run "waf_rate_limit_too_low" {
  command = plan
  variables {
    waf_rate_limit = 50
  }
  expect_failures = [var.waf_rate_limit]
}

run "log_retention_below_90_days" {
  command = plan
  variables {
    log_retention_days = 30
  }
  expect_failures = [var.log_retention_days]
}

run "secret_recovery_window_invalid" {
  command = plan
  variables {
    secret_recovery_window_days = 3
  }
  expect_failures = [var.secret_recovery_window_days]
}

run "lambda_timeout_above_integration_timeout" {
  command = plan
  variables {
    lambda_timeout_seconds = 60
  }
  expect_failures = [var.lambda_timeout_seconds]
}

run "reserved_concurrency_unknown_function" {
  command = plan
  variables {
    lambda_reserved_concurrency = { payments = 10 }
  }
  expect_failures = [var.lambda_reserved_concurrency]
}

run "domain_name_malformed" {
  command = plan
  variables {
    domain_name = "https://api.example.com"
  }
  expect_failures = [var.domain_name]
}

run "alarm_email_malformed" {
  command = plan
  variables {
    alarm_emails = ["not-an-address"]
  }
  expect_failures = [var.alarm_emails]
}

run "cors_origin_malformed" {
  command = plan
  variables {
    cors_allow_origin = "app.example.com/*"
  }
  expect_failures = [var.cors_allow_origin]
}

run "mfa_configuration_unknown" {
  command = plan
  variables {
    cognito_mfa_configuration = "SMS"
  }
  expect_failures = [var.cognito_mfa_configuration]
}

run "max_transaction_amount_not_decimal" {
  command = plan
  variables {
    max_transaction_amount = "1e6"
  }
  expect_failures = [var.max_transaction_amount]
}
