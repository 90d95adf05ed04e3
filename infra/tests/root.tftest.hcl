# The whole root module, planned with dev defaults: no AWS account, no network.
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

# Mock providers cannot open ephemeral resources (Terraform 1.11), so the configuration that
# writes the generated signing key is a real provider with offline test credentials, and the
# module using it is replaced by its output: nothing ever calls AWS.
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
  partners = {
    acme   = { key_ids = ["k1", "k2"] }
    globex = { key_ids = ["k1"], quota_per_day = 500 }
  }
}

# One plan of the dev defaults carries every assertion about them: each run is a full plan of the
# root module (~5 s of CPU), and Terraform evaluates every assert of a run, reporting each failing
# one by its own error_message, so merging the runs loses no check (docs/testing-guide.md).
run "dev_defaults" {
  command = plan

  # --- the write fence (contract A, issue 12; see write_fence.tftest.hcl): WRITE_REGION ---
  assert {
    condition     = output.write_region == "us-east-1"
    error_message = "without active_region and writes_paused the primary region takes writes"
  }

  assert {
    condition = (
      module.regional_api_primary.function_write_regions == { authorizer = "us-east-1", health = "us-east-1", profiles = "us-east-1", transactions = "us-east-1", transaction_events = "us-east-1" }
      && module.regional_api_secondary.function_write_regions == { authorizer = "us-east-1", health = "us-east-1", profiles = "us-east-1", transactions = "us-east-1", transaction_events = "us-east-1" }
    )
    error_message = "every function in both regions gets WRITE_REGION = the active region"
  }

  # --- dev defaults are destroyable ---
  assert {
    condition     = !module.data.deletion_protection_enabled && module.identity.deletion_protection == "INACTIVE"
    error_message = "dev defaults: no deletion protection on the table or the user pool"
  }

  assert {
    condition     = module.secrets.recovery_window_days == 0
    error_message = "dev defaults: the secret is deleted at once"
  }

  assert {
    condition     = !contains(module.identity.explicit_auth_flows, "ALLOW_USER_PASSWORD_AUTH")
    error_message = "password auth is off by default"
  }

  # --- every name carries project and environment ---
  assert {
    condition = alltrue([for name in concat(
      [module.data.table_name, module.edge.web_acl_name, module.edge.waf_log_group_name, module.observability.dashboard_name],
      [module.regional_api_primary.rest_api_name, module.regional_api_primary.web_acl_name, module.regional_api_secondary.web_acl_name],
      values(module.regional_api_primary.function_names), values(module.regional_api_secondary.function_names),
      values(output.partner_key_secret_names),
    ) : strcontains(name, "meridian-dev")])
    error_message = "every resource name carries <project>-<environment>"
  }

  # --- regions are wired ---
  assert {
    condition     = output.primary_region == "us-east-1" && output.secondary_region == "us-west-2"
    error_message = "default region pair"
  }

  assert {
    condition     = module.data_replica.region == "us-west-2" && !module.data_replica.deletion_protection_enabled
    error_message = "the global table's replica is in the secondary region (its provider), unprotected in dev"
  }

  assert {
    condition     = module.secrets.kms_key_ids["us-west-2"] == "arn:aws:kms:us-west-2:123456789012:key/mrk-00000000000000000000000000000001"
    error_message = "the secret's replica uses the secondary region's replica key"
  }

  assert {
    condition = toset(flatten([for statement in module.regional_api_secondary.iam_policy_statements.authorizer : statement.resources if statement.sid == "PartnerSigningKeys"])) == toset([
      "arn:aws:secretsmanager:us-west-2:123456789012:secret:meridian-dev/partner-keys/*",
    ])
    error_message = "the secondary authorizer reads its own region's replicas of the partner key secrets"
  }

  assert {
    condition     = toset(flatten([for statement in module.regional_api_secondary.iam_policy_statements.transactions : statement.resources if statement.sid == "Table"])) == toset(["arn:aws:dynamodb:us-west-2:123456789012:table/meridian-dev-main"])
    error_message = "the secondary functions use their own region's replica"
  }

  assert {
    condition     = keys(output.api_ids) == ["us-east-1", "us-west-2"] && keys(output.api_urls) == ["us-east-1", "us-west-2"]
    error_message = "API ids and URLs per region for the devstack"
  }

  assert {
    condition     = can(jsondecode(output.openapi_document).paths["/health"])
    error_message = "the rendered OpenAPI document is an output"
  }

  assert {
    condition     = output.custom_domain_url == null && length(module.dns) == 0
    error_message = "no DNS without domain_name"
  }

  # --- no wildcards in any policy ---
  assert {
    condition = alltrue(flatten([
      for statements in concat(values(module.regional_api_primary.iam_policy_statements), values(module.regional_api_secondary.iam_policy_statements)) : [
        for statement in statements : concat(
          [for action in statement.actions : !strcontains(action, "*")],
          [!contains(statement.resources, "*") || alltrue([for action in statement.actions : startswith(action, "xray:") || action == "dynamodb:ListStreams"])],
        )
      ]
    ]))
    error_message = "no * action anywhere; * resources only for X-Ray and dynamodb:ListStreams (no resource-level permissions)"
  }

  # --- partners get keys and usage plans ---
  # Decision 3 (per-partner keys selected by kid) and decision 4 (usage plans with API key source
  # AUTHORIZER): one secret per (partner, key id), replicated, and the same usage key values in both
  # regions, because the authorizer of either region returns the same usageIdentifierKey.
  assert {
    condition = output.partner_key_secret_names == {
      "acme/k1"   = "meridian-dev/partner-keys/acme/k1"
      "acme/k2"   = "meridian-dev/partner-keys/acme/k2"
      "globex/k1" = "meridian-dev/partner-keys/globex/k1"
    }
    error_message = "one secret per (partner, key id), named <project>-<env>/partner-keys/<partner>/<key id>"
  }

  assert {
    condition     = length(module.partner_signing_key) == 3
    error_message = "every partner key gets its own generated value (written write-only)"
  }

  assert {
    condition = (
      module.regional_api_primary.usage_key_values == module.regional_api_secondary.usage_key_values
      && module.regional_api_primary.usage_key_values == {
        "app-users"      = "meridian-dev-usage-app-users"
        "partner-acme"   = "meridian-dev-usage-partner-acme"
        "partner-globex" = "meridian-dev-usage-partner-globex"
      }
    )
    error_message = "usage key values are identical in both regions: <project>-<env>-usage-partner-<p> and -usage-app-users"
  }

  assert {
    condition     = module.regional_api_primary.usage_plan_quotas == { "app-users" = null, "partner-acme" = 100000, "partner-globex" = 500 }
    error_message = "partner quotas come from var.partners (default 100000 per day); app users have no quota"
  }
}

run "any_region_pair" {
  command = plan

  variables {
    environment      = "pr123"
    primary_region   = "eu-west-1"
    secondary_region = "us-east-1"
  }

  assert {
    condition     = keys(output.api_ids) == ["eu-west-1", "us-east-1"] && keys(output.table_arns) == ["eu-west-1", "us-east-1"]
    error_message = "any region pair works, including us-east-1 as the secondary"
  }
}

run "custom_domain" {
  command = plan

  variables {
    environment    = "staging"
    domain_name    = "api.example.com"
    hosted_zone_id = "Z0123456789ABCDEFGHIJ"
  }

  assert {
    condition     = output.custom_domain_url == "https://api.example.com"
    error_message = "the custom-domain URL is an output"
  }

  assert {
    condition     = length(module.dns) == 1 && keys(module.dns["api.example.com"].health_check_ids) == ["us-east-1", "us-west-2"]
    error_message = "the zone and one Route 53 health check per region exist with domain_name"
  }

  # Write to one Region (decision 1): the custom domain is only CloudFront's alias; CloudFront's
  # origins are the execute-api endpoints and the primary region takes every request by default.
  assert {
    condition     = output.active_region == "us-east-1" && module.edge.active_origin_domain == module.regional_api_primary.execute_api_domain
    error_message = "CloudFront sends everything to the active region's execute-api endpoint (primary by default)"
  }
}

run "failover_to_the_secondary" {
  command = plan

  variables {
    environment   = "dev"
    active_region = "us-west-2"
  }

  assert {
    condition     = output.active_region == "us-west-2" && module.edge.active_origin_domain == module.regional_api_secondary.execute_api_domain
    error_message = "flipping active_region sends everything to the other region"
  }

  # The write fence (see write_fence.tftest.hcl): WRITE_REGION moves with the edge.
  assert {
    condition = (
      output.write_region == "us-west-2"
      && alltrue([for region in values(module.regional_api_primary.function_write_regions) : region == "us-west-2"])
      && alltrue([for region in values(module.regional_api_secondary.function_write_regions) : region == "us-west-2"])
      && module.edge.active_origin_domain == module.regional_api_secondary.execute_api_domain
    )
    error_message = "flipping active_region moves CloudFront's origin and WRITE_REGION of every function together"
  }
}

run "partner_names_are_validated" {
  command = plan

  variables {
    partners = { "Acme_Corp" = { key_ids = ["k1"] } }
  }

  expect_failures = [var.partners]
}

run "partner_key_ids_are_validated" {
  command = plan

  variables {
    partners = { acme = { key_ids = ["k/1"] } }
  }

  expect_failures = [var.partners]
}

run "at_most_two_key_ids_per_partner" {
  command = plan

  variables {
    partners = { acme = { key_ids = ["k1", "k2", "k3"] } }
  }

  expect_failures = [var.partners]
}

run "a_partner_needs_a_key" {
  command = plan

  variables {
    partners = { acme = { key_ids = [] } }
  }

  expect_failures = [var.partners]
}

# Two independent rules in one plan: neither reads the other variable, so both are evaluated and
# each must fail on its own (a listed failure that does not happen fails the run).
run "partner_quota_is_positive_and_active_region_is_one_of_the_two" {
  command = plan

  variables {
    partners      = { acme = { key_ids = ["k1"], quota_per_day = 0 } }
    active_region = "eu-west-1"
  }

  expect_failures = [var.partners, var.active_region]
}
