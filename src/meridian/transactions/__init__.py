"""Idempotent money transactions of an authenticated caller (Cognito user or partner)."""
