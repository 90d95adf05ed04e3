"""The two ways verification can fail, kept apart because API Gateway must answer them differently.

- ``TokenRejectedError``: the credentials are bad (expired, forged, unknown or revoked key, …).
  The authorizer raises ``Exception("Unauthorized")``: API Gateway answers 401.
- ``DependencyUnavailableError``: the authorizer could not decide because something it depends on
  (the Cognito JWKS endpoint, Secrets Manager) failed. The caller's token may be perfectly good, so
  this must never be a 401: the authorizer raises another exception, API Gateway answers
  AUTHORIZER_FAILURE (mapped to 503 by the gateway response).

Both carry a reason code that is logged; never the token itself.
"""

from __future__ import annotations


class TokenRejectedError(Exception):
    """The token must not be accepted; API Gateway answers 401."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class DependencyUnavailableError(Exception):
    """A dependency could not answer; API Gateway answers AUTHORIZER_FAILURE (503), never 401."""

    def __init__(self, dependency: str, reason: str) -> None:
        super().__init__(f"{dependency}: {reason}")
        self.dependency = dependency
        self.reason = reason
