"""Token verification for the Lambda authorizer: Cognito RS256 (JWKS) and partner HS256."""
