# Production: protections on, no password sign-in (SRP only), MFA enforced.
environment                   = "prod"
primary_region                = "us-east-1"
secondary_region              = "us-west-2"
deletion_protection           = true
secret_recovery_window_days   = 30
cognito_password_auth_enabled = false
cognito_mfa_configuration     = "ON"
log_level                     = "INFO"
log_retention_days            = 365
xray_sampling_rate            = 0.05
