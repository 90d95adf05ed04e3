# Development: everything destroys cleanly (no deletion protection, secrets deleted at once).
environment                   = "dev"
primary_region                = "us-east-1"
secondary_region              = "us-west-2"
deletion_protection           = false
secret_recovery_window_days   = 0
cognito_password_auth_enabled = false
cognito_mfa_configuration     = "OPTIONAL"
log_level                     = "DEBUG"
