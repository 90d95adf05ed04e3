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
    environment                   = "Dev"
    project                       = "meridian-platform"
    primary_region                = "useast1"
    lambda_runtime                = "python3.9"
    api_throttling_rate_limit     = 0
    waf_rate_limit                = 50
    waf_rate_limit_window_seconds = 30
    log_retention_days            = 30
    secret_recovery_window_days   = 3
    lambda_timeout_seconds        = 60
    lambda_reserved_concurrency   = { payments = 10 }
    domain_name                   = "https://api.example.com"
    cors_allow_origin             = "app.example.com/*"
    cognito_mfa_configuration     = "SMS"
    max_transaction_amounts       = { USD = "1e6", XXX = "10", JPY = "10.5" }
  }
  expect_failures = [
    var.environment,
    var.project,
    var.primary_region,
    var.lambda_runtime,
    var.api_throttling_rate_limit,
    var.waf_rate_limit,
    var.waf_rate_limit_window_seconds,
    var.log_retention_days,
    var.secret_recovery_window_days,
    var.lambda_timeout_seconds,
    var.lambda_reserved_concurrency,
    var.domain_name,
    var.cors_allow_origin,
    var.cognito_mfa_configuration,
    var.max_transaction_amounts,
  ]
}

# alarm_emails is checked with a valid environment: its prod rule reads var.environment, and
# Terraform skips a variable's validations while a variable they read is itself invalid. The
# hosted-UI rule reads cognito_callback_urls (valid here, empty), and the zips' runtime is an output
# precondition that reads only lambda_package_dir and lambda_runtime: three independent failures.
# A hosted UI whose client has no callback URL can never return a signed-in user to the app
# (https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_CreateUserPoolClient.html).
# Zips built for one CPython cannot run on another (compiled extensions are per ABI):
# https://docs.aws.amazon.com/lambda/latest/dg/python-package.html#python-package-native-libraries
# The fixture directory holds zips "built" for python3.11 (build.json); its zip files are never read
# beyond their hash at plan time.
run "rejects_alarm_emails_a_hosted_ui_without_callback_urls_and_zips_for_another_runtime" {
  command = plan
  variables {
    alarm_emails          = ["not-an-address"]
    cognito_domain_prefix = "meridian-dev-login"
    lambda_package_dir    = "./tests/fixtures/lambda_python3.11"
    lambda_runtime        = "python3.13"
  }
  expect_failures = [var.alarm_emails, var.cognito_domain_prefix, output.lambda_build]
}


run "rejects_environment_with_underscore_and_equal_regions" {
  command = plan
  variables {
    environment      = "pr_123"
    primary_region   = "eu-west-1"
    secondary_region = "eu-west-1"
    domain_name      = "api.example.com" # without hosted_zone_id: the stack never creates a zone
  }
  expect_failures = [var.environment, var.secondary_region, var.hosted_zone_id]
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

# Production cannot be planned with the settings that make it fail quietly later. Each rule:
# - alarm_emails: an alarm only publishes to its SNS topic; without a subscription nobody hears it.
# - cognito_email: Cognito's default sender allows only a small daily number of e-mails
#   (https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-email.html).
# - kms_deletion_window_days: on-demand backups and recoverable secrets die with their key
#   (https://docs.aws.amazon.com/kms/latest/developerguide/deleting-keys.html).
run "prod_needs_alarm_subscribers_ses_email_and_the_longest_key_window" {
  command = plan
  variables {
    environment              = "prod"
    kms_deletion_window_days = 7
  }
  expect_failures = [var.alarm_emails, var.cognito_email, var.kms_deletion_window_days]
}


run "rejects_malformed_ses_settings_key_window_and_callback_urls" {
  command = plan
  variables {
    kms_deletion_window_days = 31
    cognito_email = {
      source_arn        = "arn:aws:iam::123456789012:role/not-ses"
      from_address      = "no-reply"
      configuration_set = "has spaces"
    }
    cognito_callback_urls = ["http://app.example.com/callback"]
    cognito_logout_urls   = ["https://app.example.com/#signed-out"]
  }
  expect_failures = [var.kms_deletion_window_days, var.cognito_email, var.cognito_callback_urls, var.cognito_logout_urls]
}

# Production with its settings, a hosted UI with callback URLs and zips built for the runtime in
# use: one plan (each run is a full root plan, ~20 s of CPU), each assert reported on its own.
run "prod_with_its_settings_a_hosted_ui_and_zips_for_its_runtime_plans" {
  command = plan
  variables {
    environment              = "prod"
    kms_deletion_window_days = 30
    alarm_emails             = ["oncall@example.com"]
    cognito_email = {
      source_arn   = "arn:aws:ses:us-east-1:123456789012:identity/example.com"
      from_address = "Meridian <no-reply@example.com>"
    }
    cognito_domain_prefix = "meridian-dev-login"
    cognito_callback_urls = ["https://app.example.com/signed-in", "http://localhost:3000/callback"]
    lambda_package_dir    = "./tests/fixtures/lambda_python3.11"
    lambda_runtime        = "python3.11"
  }

  assert {
    condition     = module.identity.email_sending_account == "DEVELOPER" && module.kms_primary.deletion_window_days == 30
    error_message = "prod sends Cognito e-mail through SES and keeps its keys 30 days"
  }

  assert {
    condition     = module.identity.hosted_ui_domain == "meridian-dev-login" && module.identity.allowed_oauth_flows[0] == "code" && length(module.identity.allowed_oauth_flows) == 1
    error_message = "the hosted UI comes with the authorization code flow"
  }

  assert {
    condition     = output.lambda_build.runtime == "python3.11"
    error_message = "the zips' runtime is an output"
  }
}
