"""The partner HS256 signing key, read from Secrets Manager and cached for a TTL.

Any failure to read it (unreachable, throttled, missing or malformed secret) refuses partner
tokens: the authorizer fails closed.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

from meridian import aws
from meridian.auth.errors import TokenRejectedError


def _secrets_manager() -> Any:  # noqa: ANN401 - boto3 clients are dynamically typed
    return aws.client("secretsmanager")


class PartnerKeyCache:
    def __init__(
        self,
        secret_arn: str,
        ttl_seconds: int,
        client: Callable[[], Any] = _secrets_manager,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.secret_arn = secret_arn
        self.ttl_seconds = ttl_seconds
        self.client = client
        self.clock = clock
        self._key: str | None = None
        self._fetched_at = 0.0

    def signing_key(self) -> str:
        if self._key is not None and self.clock() - self._fetched_at < self.ttl_seconds:
            return self._key
        self._key = None
        try:
            response = self.client().get_secret_value(SecretId=self.secret_arn)
            key = json.loads(response["SecretString"])["signing_key"]
        except Exception as error:
            raise TokenRejectedError("partner_secret_unavailable") from error
        if not isinstance(key, str) or len(key) < 16:
            raise TokenRejectedError("partner_secret_malformed")
        self._key, self._fetched_at = key, self.clock()
        return key
