output "primary_region" {
  description = "Primary region (Cognito, the secret's primary copy, the dashboard)."
  value       = var.primary_region
}

output "secondary_region" {
  description = "Secondary region."
  value       = var.secondary_region
}

output "api_ids" {
  description = "REST API id per region."
  value = {
    (var.primary_region)   = module.regional_api_primary.rest_api_id
    (var.secondary_region) = module.regional_api_secondary.rest_api_id
  }
}

output "api_urls" {
  description = "Invoke URL of the v1 stage per region (execute-api; reachable only through CloudFront, except /v1/health)."
  value = {
    (var.primary_region)   = module.regional_api_primary.invoke_url
    (var.secondary_region) = module.regional_api_secondary.invoke_url
  }
}

output "user_pool_id" {
  description = "Cognito user pool id."
  value       = module.identity.user_pool_id
}

output "user_pool_client_id" {
  description = "Cognito public app client id."
  value       = module.identity.client_id
}

output "table_name" {
  description = "DynamoDB global table name (the same in both regions)."
  value       = module.data.table_name
}

output "table_arns" {
  description = "DynamoDB table ARN per region."
  value = {
    (var.primary_region)   = module.data.table_arn
    (var.secondary_region) = module.data_replica.arn
  }
}

output "partner_key_secret_names" {
  description = "Secrets Manager secret name per partner key, keyed `<partner>/<key id>` (the token's kid); same name in both regions. Read a value with `aws secretsmanager get-secret-value` to hand it to the partner: it is never in Terraform state."
  value       = module.secrets.secret_names
}

output "usage_key_values" {
  description = "Usage plan API key value per plan (`app-users`, `partner-<partner>`), identical in both regions: identifiers the authorizer returns, not credentials."
  value       = module.regional_api_primary.usage_key_values
}

output "lambda_function_names" {
  description = "Function name per region and function key."
  value = {
    (var.primary_region)   = module.regional_api_primary.function_names
    (var.secondary_region) = module.regional_api_secondary.function_names
  }
}

output "alarm_topic_arns" {
  description = "Alarm SNS topic ARN per region, plus `edge` (us-east-1: CloudFront and health-check alarms)."
  value = {
    (var.primary_region)   = module.regional_api_primary.alarm_topic_arn
    (var.secondary_region) = module.regional_api_secondary.alarm_topic_arn
    edge                   = module.edge.alarm_topic_arn
  }
}

output "cloudfront_url" {
  description = "CloudFront URL of the API (append /v1/...)."
  value       = "https://${module.edge.distribution_domain_name}"
}

output "active_region" {
  description = "Region CloudFront sends every request to (write to one Region); the other region is the standby."
  value       = local.active_region
}

output "write_region" {
  description = "WRITE_REGION of every function in both regions: the only region that accepts POST, PUT, PATCH and DELETE (active_region), or \"none\" while writes_paused. Elsewhere writes answer 503 REGION_NOT_WRITABLE."
  value       = local.write_region
}

output "cloudfront_distribution_id" {
  description = "CloudFront distribution id (cache invalidations, metrics)."
  value       = module.edge.distribution_id
}

output "custom_domain_url" {
  description = "Public URL on the custom domain (append /v1/...), or null without domain_name."
  value       = local.custom_domain ? "https://${var.domain_name}" : null
}

output "dashboard_url" {
  description = "Console URL of the CloudWatch dashboard."
  value       = module.observability.dashboard_url
}

output "openapi_document" {
  description = "The rendered OpenAPI document of the primary region's REST API (JSON; the secondary's differs only in region-specific ARNs)."
  value       = module.regional_api_primary.openapi_document
}

output "lambda_build" {
  description = "Runtime and architecture the deployed function zips were built for (`build.json` written by `make build`); the plan fails when they differ from lambda_runtime / arm64."
  value       = local.lambda_build

  # Compiled extensions are built per CPython ABI and machine (the authorizer's
  # _cffi_backend.cpython-313-aarch64-linux-gnu.so does not import on python3.11):
  # https://docs.aws.amazon.com/lambda/latest/dg/python-package.html#python-package-native-libraries
  precondition {
    condition     = local.lambda_build.runtime == var.lambda_runtime && local.lambda_build.architecture == "arm64"
    error_message = "The zips in lambda_package_dir were built for ${local.lambda_build.runtime} ${local.lambda_build.architecture}, but the functions run ${var.lambda_runtime} on arm64: run `make build LAMBDA_RUNTIME=${var.lambda_runtime}` first."
  }
}

output "transaction_events" {
  description = "Transaction events per region (contract F): `topic_arn`, `subscriber_queue_url` (raw transaction.created events), `subscriber_dlq_url`, `failure_queue_url` (the stream mapping's on-failure invocation records) and `publisher_function_name`."
  value = {
    for region, events in {
      (var.primary_region)   = module.transaction_events_primary
      (var.secondary_region) = module.transaction_events_secondary
      } : region => {
      topic_arn               = events.topic_arn
      subscriber_queue_url    = events.subscriber_queue_url
      subscriber_dlq_url      = events.subscriber_dlq_url
      failure_queue_url       = events.failure_queue_url
      publisher_function_name = events.publisher_function_name
    }
  }
}
