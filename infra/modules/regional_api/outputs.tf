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

output "partner_api_key_ids" {
  description = "API key id per partner name in this region (values stay in API Gateway)."
  value       = { for partner, key in aws_api_gateway_api_key.partner : partner => key.id }
}
