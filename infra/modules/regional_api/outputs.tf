output "rest_api_id" {
  description = "Id of the regional REST API."
  value       = aws_api_gateway_rest_api.api.id
}

output "rest_api_name" {
  description = "Name of the regional REST API (the ApiName metric dimension)."
  value       = aws_api_gateway_rest_api.api.name
}

output "stage_name" {
  description = "Name of the deployed stage."
  value       = aws_api_gateway_stage.v1.stage_name
}

output "invoke_url" {
  description = "Invoke URL of the stage (https://<id>.execute-api.<region>.amazonaws.com/v1)."
  value       = aws_api_gateway_stage.v1.invoke_url
}

output "execute_api_domain" {
  description = "Host name of the regional execute-api endpoint (CloudFront origin, health-check target)."
  value       = "${aws_api_gateway_rest_api.api.id}.execute-api.${local.region}.amazonaws.com"
}

output "openapi_document" {
  description = "The rendered OpenAPI document sent as the REST API body (JSON)."
  value       = local.openapi_document
}

output "function_names" {
  description = "Function name per function key."
  value       = { for function_name, function in aws_lambda_function.function : function_name => function.function_name }
}

output "function_arns" {
  description = "Function ARN per function key."
  value       = { for function_name, function in aws_lambda_function.function : function_name => function.arn }
}

output "iam_policy_statements" {
  description = "Every IAM statement of the function roles (what the policy documents render), for review and tests."
  value       = local.function_statements
}

output "alarm_topic_arn" {
  description = "ARN of this region's alarm topic."
  value       = aws_sns_topic.alarms.arn
}

output "web_acl_name" {
  description = "Name of the regional WAF web ACL."
  value       = aws_wafv2_web_acl.api.name
}

output "usage_key_values" {
  description = "Usage plan API key value per plan (`app-users`, `partner-<partner>`): identifiers the authorizer returns as usageIdentifierKey, identical in every region."
  value       = { for plan in keys(local.usage_plans) : plan => "${local.usage_key_prefix}${plan}" }
}

output "usage_plan_quotas" {
  description = "Daily quota per usage plan (null: no quota)."
  value       = { for plan, settings in local.usage_plans : plan => settings.quota_per_day }
}

output "usage_plan_ids" {
  description = "Usage plan id per plan in this region (usage reports: aws apigateway get-usage)."
  value       = { for plan, usage_plan in aws_api_gateway_usage_plan.usage : plan => usage_plan.id }
}

output "function_role_arns" {
  description = "Execution role ARN per function key (the transaction events topic lets only the publisher's role publish)."
  value       = { for function_name, role in aws_iam_role.function : function_name => role.arn }
}

output "function_write_regions" {
  description = "WRITE_REGION of each function (the write fence: the region that takes writes, or \"none\" while paused), read back from the functions, for review and tests."
  value       = { for function_name, function in aws_lambda_function.function : function_name => function.environment[0].variables.WRITE_REGION }
}

output "function_aliases" {
  description = "ARN of the alias `live` per function published for SnapStart or provisioned concurrency (what API Gateway invokes); empty while both opt-ins are off."
  value       = { for function_name, alias in aws_lambda_alias.live : function_name => alias.arn }
}
