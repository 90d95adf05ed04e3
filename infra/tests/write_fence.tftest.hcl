# Contract A (issue 12), the write fence: every function in both regions gets WRITE_REGION from
# active_region and writes_paused, so a write that reaches a region other than the active one is
# refused by the function (503 REGION_NOT_WRITABLE) instead of being applied to a replica that
# evaluates conditions only locally:
# https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/V2globaltables_HowItWorks.html
mock_provider "aws" {
  source          = "./tests/mocks"
  override_during = plan

  mock_data "aws_region" {
    defaults = {
      name = "us-east-1"
    }
  }
}

mock_provider "aws" {
  alias           = "secondary"
  source          = "./tests/mocks"
  override_during = plan

  mock_data "aws_region" {
    defaults = {
      name = "us-west-2"
    }
  }
}

mock_provider "aws" {
  alias           = "us_east_1"
  source          = "./tests/mocks"
  override_during = plan

  mock_data "aws_region" {
    defaults = {
      name = "us-east-1"
    }
  }
}

# As in root.tftest.hcl: the write-only secret writer is a real provider that never calls AWS.
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

# The default (the primary takes writes) and the failover (WRITE_REGION moves with the edge) are
# asserted on the plans root.tftest.hcl already makes of those variables (`dev_defaults`,
# `failover_to_the_secondary`): a root plan costs ~20 s of CPU, mostly starting the four provider
# configurations (docs/testing-guide.md "What make test costs"). Pausing writes needs a plan of its own.
run "paused_writes_fence_both_regions" {
  command = plan

  variables {
    active_region = "us-west-2"
    writes_paused = true
  }

  assert {
    condition = (
      output.write_region == "none"
      && alltrue([for region in values(module.regional_api_primary.function_write_regions) : region == "none"])
      && alltrue([for region in values(module.regional_api_secondary.function_write_regions) : region == "none"])
    )
    error_message = "writes_paused sets WRITE_REGION = none on every function of both regions"
  }

  assert {
    condition     = output.active_region == "us-west-2"
    error_message = "pausing writes does not move the edge: reads keep being served by the active region"
  }
}
