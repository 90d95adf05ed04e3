# Plan the whole root module with dev-like defaults: no AWS account, no network.
mock_provider "aws" {
  source = "./tests/mocks"
}

mock_provider "aws" {
  alias  = "secondary"
  source = "./tests/mocks"
}

mock_provider "aws" {
  alias  = "us_east_1"
  source = "./tests/mocks"
}

# Mock providers cannot open ephemeral resources (Terraform 1.11): the module that writes the
# generated signing key is replaced by its output. Everything else is planned for real.
override_module {
  target = module.partner_signing_key
  outputs = {
    version_id = "00000000-0000-0000-0000-000000000001"
  }
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

variables {
  environment = "dev"
}

run "plans_dev_defaults" {
  command = plan

  assert {
    condition     = module.data.table_name == "meridian-dev-main"
    error_message = "table name must carry the project and environment"
  }
}
