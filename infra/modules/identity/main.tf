resource "aws_cognito_user_pool" "main" {
  name                     = "${var.name}-users"
  username_attributes      = ["email"]
  auto_verified_attributes = ["email"]
  mfa_configuration        = var.mfa_configuration
  deletion_protection      = var.deletion_protection ? "ACTIVE" : "INACTIVE"

  username_configuration {
    case_sensitive = false
  }

  password_policy {
    minimum_length                   = 12
    require_lowercase                = true
    require_uppercase                = true
    require_numbers                  = true
    require_symbols                  = true
    temporary_password_validity_days = 3
  }

  dynamic "software_token_mfa_configuration" {
    for_each = var.mfa_configuration == "OFF" ? [] : [true]
    content {
      enabled = true
    }
  }

  account_recovery_setting {
    recovery_mechanism {
      name     = "verified_email"
      priority = 1
    }
  }

  admin_create_user_config {
    allow_admin_create_user_only = false
  }

  # Cognito's built-in sender allows only a small number of e-mails a day per user pool ("For typical
  # production environments, the default email limit is below the required delivery volume"); with
  # an SES identity (DEVELOPER) the pool sends through the account's SES quota. The identity must be
  # verified in SES, in the pool's Region or a Region Cognito supports for it
  # (https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-email.html,
  # https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_EmailConfigurationType.html).
  # null keeps the default sender (dev, PR environments); the root module requires it in prod.
  dynamic "email_configuration" {
    for_each = var.email == null ? [] : [var.email]
    content {
      email_sending_account  = "DEVELOPER"
      source_arn             = email_configuration.value.source_arn
      from_email_address     = email_configuration.value.from_address
      configuration_set      = email_configuration.value.configuration_set
      reply_to_email_address = email_configuration.value.reply_to_address
    }
  }

  schema {
    name                = "email"
    attribute_data_type = "String"
    required            = true
    mutable             = true

    string_attribute_constraints {
      min_length = 3
      max_length = 254
    }
  }
}

# Public client (mobile and web apps): no client secret, SRP sign-in and refresh tokens.
resource "aws_cognito_user_pool_client" "app" {
  name                          = "${var.name}-app"
  user_pool_id                  = aws_cognito_user_pool.main.id
  generate_secret               = false
  prevent_user_existence_errors = "ENABLED"
  enable_token_revocation       = true
  explicit_auth_flows = concat(
    ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    var.password_auth_enabled ? ["ALLOW_USER_PASSWORD_AUTH"] : [],
  )

  access_token_validity  = var.access_token_validity_minutes
  id_token_validity      = var.id_token_validity_minutes
  refresh_token_validity = var.refresh_token_validity_days

  token_validity_units {
    access_token  = "minutes"
    id_token      = "minutes"
    refresh_token = "days"
  }

  read_attributes  = ["email", "email_verified"]
  write_attributes = ["email"]

  # Hosted UI (managed login): the authorization code flow (with PKCE, a public client) back to the
  # app's callback URLs. Without callback URLs and OAuth flows the domain can show a sign-in page
  # but never return the user to the app, so the root module refuses a domain without them
  # (https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_CreateUserPoolClient.html).
  allowed_oauth_flows_user_pool_client = local.hosted_ui
  allowed_oauth_flows                  = local.hosted_ui ? ["code"] : null
  allowed_oauth_scopes                 = local.hosted_ui ? ["openid", "email", "profile"] : null
  supported_identity_providers         = local.hosted_ui ? ["COGNITO"] : null
  callback_urls                        = local.hosted_ui ? var.callback_urls : null
  logout_urls                          = local.hosted_ui && length(var.logout_urls) > 0 ? var.logout_urls : null
}

locals {
  hosted_ui = var.domain_prefix != null
}

resource "aws_cognito_user_pool_domain" "hosted_ui" {
  for_each = var.domain_prefix == null ? toset([]) : toset([var.domain_prefix])

  domain       = each.value
  user_pool_id = aws_cognito_user_pool.main.id
}
