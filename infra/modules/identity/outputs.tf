output "user_pool_id" {
  description = "Cognito user pool id."
  value       = aws_cognito_user_pool.main.id
}

output "user_pool_arn" {
  description = "Cognito user pool ARN (the API's COGNITO_USER_POOLS authorizer)."
  value       = aws_cognito_user_pool.main.arn
}

output "client_id" {
  description = "Id of the public app client."
  value       = aws_cognito_user_pool_client.app.id
}

output "explicit_auth_flows" {
  description = "Auth flows the app client allows."
  value       = aws_cognito_user_pool_client.app.explicit_auth_flows
}

output "hosted_ui_domain" {
  description = "Hosted-UI domain prefix, or null."
  value       = one([for domain in aws_cognito_user_pool_domain.hosted_ui : domain.domain])
}

output "deletion_protection" {
  description = "User pool deletion protection (ACTIVE or INACTIVE)."
  value       = aws_cognito_user_pool.main.deletion_protection
}

output "email_sending_account" {
  description = "DEVELOPER when the pool sends through SES, COGNITO_DEFAULT otherwise."
  value       = var.email == null ? "COGNITO_DEFAULT" : "DEVELOPER"
}

output "allowed_oauth_flows" {
  description = "OAuth flows of the app client (empty without a hosted UI)."
  value       = local.hosted_ui ? ["code"] : []
}

output "callback_urls" {
  description = "Callback URLs of the app client (empty without a hosted UI)."
  value       = local.hosted_ui ? var.callback_urls : []
}
