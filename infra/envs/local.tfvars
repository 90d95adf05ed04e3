# The devstack (`make up`): the unmodified root module applied to the local emulator.
# Only the environment differs from a real deployment; no resource is switched off here.
environment      = "local"
primary_region   = "us-east-1"
secondary_region = "us-west-2"

# Destroy cleanly at `make down`.
deletion_protection         = false
secret_recovery_window_days = 0

# The e2e suite signs users in with USER_PASSWORD_AUTH against the emulator's Cognito.
cognito_password_auth_enabled = true
cognito_mfa_configuration     = "OFF"

log_level = "DEBUG"
