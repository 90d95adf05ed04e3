# Issue 15: the cold-start opt-ins of the regional API module. Both off (the default) leaves every
# function unpublished and API Gateway invoking the unqualified function, as before. Opting a
# function into SnapStart or provisioned concurrency publishes it, adds the alias `live`, points the
# OpenAPI integration (or the authorizer URI) and the invoke permission at that alias, and turns on
# SnapStart on published versions or configures provisioned concurrency on the alias:
# https://docs.aws.amazon.com/lambda/latest/dg/snapstart.html,
# https://docs.aws.amazon.com/lambda/latest/dg/provisioned-concurrency.html
mock_provider "aws" {
  source          = "./tests/mocks"
  override_during = plan

  mock_data "aws_region" {
    defaults = {
      name = "us-east-1"
    }
  }

  # Plan-time values that tell an alias's invoke ARN from the function's (tests/mocks gives the
  # function ".../function:mock/invocations").
  mock_resource "aws_lambda_alias" {
    defaults = {
      arn        = "arn:aws:lambda:us-east-1:123456789012:function:mock:live"
      invoke_arn = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:mock:live/invocations"
    }
  }
}

variables {
  name                               = "meridian-dev"
  project                            = "meridian"
  environment                        = "dev"
  openapi_template_path              = "./api/openapi.yaml"
  schema_dir                         = "../src/meridian/schemas"
  lambda_package_dir                 = "../build/lambda"
  lambda_runtime                     = "python3.13"
  lambda_memory_mb                   = 512
  lambda_timeout_seconds             = 10
  lambda_reserved_concurrency        = {}
  log_level                          = "INFO"
  log_retention_days                 = 90
  kms_key_arn                        = "arn:aws:kms:us-east-1:123456789012:key/mrk-00000000000000000000000000000001"
  table_name                         = "meridian-dev-main"
  partner_key_secret_prefix          = "meridian-dev/partner-keys/"
  user_pool_arn                      = "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_AbCdEf123"
  user_pool_id                       = "us-east-1_AbCdEf123"
  app_client_ids                     = ["client-one"]
  session_ttl_seconds                = 2592000
  max_transaction_amounts            = {}
  partner_key_cache_seconds          = 300
  partner_token_max_lifetime_seconds = 3600
  throttling_rate_limit              = 5000
  throttling_burst_limit             = 10000
  authorizer_result_ttl_seconds      = 300
  cors_allow_origin                  = "*"
  origin_verify_header_name          = "X-Origin-Verify"
  origin_verify_header_values        = ["00000000-0000-4000-8000-000000000000"]
  partners                           = { acme = { quota_per_day = 100000 } }
  alarm_emails                       = []
  alarm_api_5xx_rate_percent         = 1
  alarm_api_p99_latency_ms           = 2000
  alarm_replication_latency_ms       = 60000
  peer_region                        = "us-west-2"
  xray_sampling_rate                 = 0.05
  write_region                       = "us-east-1"
}

run "both_off_by_default" {
  command = plan

  module {
    source = "./modules/regional_api"
  }

  assert {
    condition = (
      length(aws_lambda_alias.live) == 0
      && length(aws_lambda_provisioned_concurrency_config.live) == 0
      && alltrue([for function in aws_lambda_function.function : function.publish == false && length(function.snap_start) == 0])
      && alltrue([for permission in aws_lambda_permission.api : permission.qualifier == null])
    )
    error_message = "with both opt-ins off no function is published, aliased, snap-started or provisioned, and the permissions are unqualified"
  }

  assert {
    condition = alltrue([
      for uri in compact(flatten([
        for path, item in jsondecode(output.openapi_document).paths : [
          # Path items also hold lists (parameters) and mock (CORS preflight) integrations without uri.
          for method, operation in item : try(operation["x-amazon-apigateway-integration"].uri, null)
        ]
      ])) : endswith(uri, ":function:mock/invocations")
    ])
    error_message = "with both opt-ins off every integration invokes the unqualified function"
  }

  assert {
    condition     = output.function_aliases == {}
    error_message = "no alias output while both opt-ins are off"
  }
}

run "snap_start_and_provisioned_concurrency" {
  command = plan

  module {
    source = "./modules/regional_api"
  }

  variables {
    lambda_snap_start_functions    = ["profiles", "authorizer"]
    lambda_provisioned_concurrency = { transactions = 5, health = 0 }
  }

  assert {
    condition = (
      toset(keys(aws_lambda_alias.live)) == toset(["profiles", "authorizer", "transactions"])
      && alltrue([for alias in aws_lambda_alias.live : alias.name == "live"])
    )
    error_message = "every opted-in function (a count of 0 is not opted in) gets the alias live"
  }

  assert {
    condition = (
      aws_lambda_function.function["profiles"].publish
      && aws_lambda_function.function["authorizer"].publish
      && aws_lambda_function.function["transactions"].publish
      && !aws_lambda_function.function["health"].publish
    )
    error_message = "only the opted-in functions publish versions"
  }

  assert {
    condition = (
      aws_lambda_function.function["profiles"].snap_start[0].apply_on == "PublishedVersions"
      && aws_lambda_function.function["authorizer"].snap_start[0].apply_on == "PublishedVersions"
      && length(aws_lambda_function.function["transactions"].snap_start) == 0
      && length(aws_lambda_function.function["health"].snap_start) == 0
    )
    error_message = "SnapStart applies to the published versions of the named functions only"
  }

  assert {
    condition = (
      keys(aws_lambda_provisioned_concurrency_config.live) == ["transactions"]
      && aws_lambda_provisioned_concurrency_config.live["transactions"].provisioned_concurrent_executions == 5
      && aws_lambda_provisioned_concurrency_config.live["transactions"].qualifier == "live"
    )
    error_message = "provisioned concurrency is configured on the alias, for counts above 0 only"
  }

  assert {
    condition = (
      aws_lambda_permission.api["profiles"].qualifier == "live"
      && aws_lambda_permission.api["authorizer"].qualifier == "live"
      && aws_lambda_permission.api["transactions"].qualifier == "live"
      && aws_lambda_permission.api["health"].qualifier == null
    )
    error_message = "API Gateway's invoke permission is granted on the alias it invokes"
  }

  assert {
    condition = (
      endswith(jsondecode(output.openapi_document).paths["/profiles"].post["x-amazon-apigateway-integration"].uri, ":function:mock:live/invocations")
      && endswith(jsondecode(output.openapi_document).paths["/transactions"].post["x-amazon-apigateway-integration"].uri, ":function:mock:live/invocations")
      && endswith(jsondecode(output.openapi_document).paths["/health"].get["x-amazon-apigateway-integration"].uri, ":function:mock/invocations")
      && endswith(jsondecode(output.openapi_document).components.securitySchemes.partner["x-amazon-apigateway-authorizer"].authorizerUri, ":function:mock:live/invocations")
    )
    error_message = "the OpenAPI integrations and the authorizer URI invoke the alias of an opted-in function, the unqualified function otherwise"
  }
}

run "snap_start_needs_python_3_12" {
  command = plan

  module {
    source = "./modules/regional_api"
  }

  variables {
    lambda_runtime              = "python3.11"
    lambda_snap_start_functions = ["health"]
  }

  expect_failures = [var.lambda_snap_start_functions]
}

run "snap_start_excludes_provisioned_concurrency" {
  command = plan

  module {
    source = "./modules/regional_api"
  }

  variables {
    lambda_snap_start_functions    = ["health"]
    lambda_provisioned_concurrency = { health = 2 }
  }

  expect_failures = [var.lambda_snap_start_functions]
}

run "provisioned_concurrency_counts_are_whole_and_known" {
  command = plan

  module {
    source = "./modules/regional_api"
  }

  variables {
    lambda_provisioned_concurrency = { billing = 1, health = -1 }
  }

  expect_failures = [var.lambda_provisioned_concurrency]
}
