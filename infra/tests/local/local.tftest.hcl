# Run with `-var-file=envs/local.tfvars -test-directory=tests/local` (see mk/infra.mk): the devstack
# values: password sign-in for the e2e tests, every protection off.
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

run "local_tfvars_enable_password_auth_without_protections" {
  command = plan

  assert {
    condition     = var.environment == "local" && contains(module.identity.explicit_auth_flows, "ALLOW_USER_PASSWORD_AUTH")
    error_message = "local.tfvars enables USER_PASSWORD_AUTH for the devstack's tests"
  }

  assert {
    condition     = !module.data.deletion_protection_enabled && module.identity.deletion_protection == "INACTIVE" && module.secrets.recovery_window_days == 0
    error_message = "local.tfvars turns every protection off"
  }

  assert {
    condition     = keys(output.partner_key_secret_names) == ["acme/k1", "globex/k1"] && module.regional_api_primary.usage_key_values["partner-acme"] == "meridian-local-usage-partner-acme"
    error_message = "local.tfvars defines the two test partners the e2e suite signs tokens for (keys read from the emulator's secrets)"
  }
}
