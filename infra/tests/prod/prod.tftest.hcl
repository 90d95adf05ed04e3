# Run with `-var-file=envs/prod.tfvars -test-directory=tests/prod` (see mk/infra.mk): the real
# production values flip the dev defaults.
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

# The settings envs/prod.tfvars leaves to the operator (the plan refuses prod without them): test
# values here, the real ones in the operator's copy of prod.tfvars.
variables {
  alarm_emails = ["oncall@example.com"]
  cognito_email = {
    source_arn        = "arn:aws:ses:us-east-1:123456789012:identity/example.com"
    from_address      = "Meridian <no-reply@example.com>"
    configuration_set = "meridian-prod"
  }
}

run "prod_tfvars_turn_protections_on" {
  command = plan

  assert {
    condition     = var.environment == "prod" && module.data.deletion_protection_enabled && module.identity.deletion_protection == "ACTIVE"
    error_message = "prod.tfvars turns deletion protection on (table and user pool)"
  }

  # "You must enable deletion protection on each replica"
  # (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/globaltables-bestpractices.html).
  assert {
    condition     = module.data_replica.deletion_protection_enabled
    error_message = "prod.tfvars protects the table's replica too, not only the primary table"
  }

  assert {
    condition     = module.secrets.recovery_window_days >= 7
    error_message = "prod.tfvars keeps deleted secrets recoverable"
  }

  # Backups and recoverable secrets stay readable only while their key exists
  # (https://docs.aws.amazon.com/kms/latest/developerguide/deleting-keys.html).
  assert {
    condition     = alltrue([for window in [module.kms_primary.deletion_window_days, module.kms_secondary.deletion_window_days, module.kms_edge.deletion_window_days] : window == 30])
    error_message = "prod.tfvars keeps every KMS key 30 days after a destroy"
  }

  assert {
    condition     = module.identity.email_sending_account == "DEVELOPER"
    error_message = "prod sends Cognito e-mail through SES"
  }

  assert {
    condition     = !contains(module.identity.explicit_auth_flows, "ALLOW_USER_PASSWORD_AUTH")
    error_message = "prod.tfvars keeps password auth off"
  }

  assert {
    condition     = alltrue([for name in values(module.regional_api_primary.function_names) : strcontains(name, "meridian-prod")])
    error_message = "prod names carry the prod environment"
  }
}
