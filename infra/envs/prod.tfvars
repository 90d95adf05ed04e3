# Production: protections on, no password sign-in (SRP only), MFA enforced.
environment                   = "prod"
primary_region                = "us-east-1"
secondary_region              = "us-west-2"
deletion_protection           = true
secret_recovery_window_days   = 30
kms_deletion_window_days      = 30 # keys outlive a destroy by 30 days: backups and secrets stay readable
cognito_password_auth_enabled = false
cognito_mfa_configuration     = "ON"
log_level                     = "INFO"
log_retention_days            = 365
xray_sampling_rate            = 0.05

# ---------------------------------------------------------------------------------------------
# Yours to fill in before the first prod plan: the plan refuses environment "prod" without them
# (docs/deployment-guide.md, "Production settings only you can provide"). None of them is a secret.
# ---------------------------------------------------------------------------------------------
# Who hears the alarms (each address confirms its SNS subscription by e-mail):
# alarm_emails = ["oncall@your-company.example"]
#
# Cognito's e-mail (sign-up codes, password resets) through your verified SES identity:
# cognito_email = {
#   source_arn        = "arn:aws:ses:us-east-1:<account id>:identity/your-company.example"
#   from_address      = "Your App <no-reply@your-company.example>"
#   configuration_set = "your-ses-configuration-set" # optional
# }
