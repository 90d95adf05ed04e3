"""Why a token was refused (logged as a reason code, never with the token itself)."""

from __future__ import annotations


class TokenRejectedError(Exception):
    """The token must not be accepted; API Gateway answers 401."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
