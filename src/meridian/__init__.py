"""Meridian Lambda application: profiles, sessions, idempotent transactions, authorizer, health."""
