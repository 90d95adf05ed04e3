# Devstack (moto server + the project's API Gateway and Lambda runtime): the same root module,
# only these values and the environment (AWS_ENDPOINT_URL, test credentials) differ.
environment                    = "local"
primary_region                 = "us-east-1"
secondary_region               = "us-west-2"
deletion_protection            = false
secret_recovery_window_days    = 0
cognito_password_auth_enabled  = true # the e2e tests sign in with USER_PASSWORD_AUTH
cognito_mfa_configuration      = "OFF"
log_level                      = "DEBUG"
partner_key_cache_seconds      = 30    # lets the e2e fault suite see a fail-closed authorizer quickly
cloudfront_wait_for_deployment = false # the devstack serves the API at the stage URLs, not through CloudFront

# Two test partners, so the e2e suite proves one partner can neither see nor sign for the other;
# it signs their tokens with the keys it reads from these secrets in the emulator.
partners = {
  acme   = { key_ids = ["k1"] }
  globex = { key_ids = ["k1"] }
}

# WAF rate limit: the shortest window AWS accepts (60 s), so the e2e burst test sees a blocked IP
# recover within a minute. The limit stays above what the e2e suites send from 127.0.0.1 in a
# minute; the burst test binds its own loopback address (127.0.0.x) and is cheap per request.
waf_rate_limit                = 2000
waf_rate_limit_window_seconds = 60
