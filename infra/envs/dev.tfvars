# Development: everything destroys cleanly (no deletion protection, secrets deleted at once, keys
# deleted after AWS's shortest window). Cognito sends e-mail with its default sender (small daily
# quota: enough for dev) and alarms have no subscriber unless you add alarm_emails.
environment                   = "dev"
primary_region                = "us-east-1"
secondary_region              = "us-west-2"
deletion_protection           = false
secret_recovery_window_days   = 0
kms_deletion_window_days      = 7
cognito_password_auth_enabled = false
cognito_mfa_configuration     = "OPTIONAL"
log_level                     = "DEBUG"
