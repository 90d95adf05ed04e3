"""Profiles and device sessions of the signed-in (Cognito) user."""
