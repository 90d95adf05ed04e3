"""Per-partner HS256 signing keys, one Secrets Manager secret per (partner, key id).

A partner token names its key in the header: ``kid`` = ``<partner>/<key_id>``. The key is the
secret ``<PARTNER_KEY_SECRET_PREFIX><partner>/<key_id>`` (value ``{"signing_key": "…"}``), so a
partner can only ever sign with its own keys, and the partner's identity is the ``kid`` whose key
verified the signature. Rotation lists two key ids at once (each its own secret); revocation
removes one (docs/security.md).

Outcomes of a look-up:
- the secret exists → the key, cached per ``kid`` for ``cache_seconds``;
- the secret does not exist, or is scheduled for deletion → the key is unknown or revoked: the
  token is rejected (401), and the answer is cached for ``cache_seconds`` as well (negative cache);
- anything else (throttling, network, KMS, access denied, a malformed value) → the authorizer
  cannot decide: ``DependencyUnavailableError`` (503), never a 401.

Look-ups of kids never seen before are rate-limited (a token bucket per container), so a flood of
tokens with made-up kids cannot hammer Secrets Manager; re-reading a known key when its cache
window ends is never limited.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol

from botocore.exceptions import ClientError  # type: ignore[import-untyped]

from meridian import aws
from meridian.auth.errors import DependencyUnavailableError, TokenRejectedError

# Partner names and key ids (decision 3; infra validates the same pattern on `var.partners`).
# Nothing else is accepted in a kid: no path separators beyond the one, no dots, no upper case.
_NAME = r"[a-z0-9][a-z0-9-]{0,31}"
_KID = re.compile(rf"(?P<partner>{_NAME})/(?P<key_id>{_NAME})")

# RFC 7518 §3.2: an HS256 key must be at least as long as the hash output (256 bits).
MIN_KEY_LENGTH = 32

# GetSecretValue errors that mean "this key does not exist (any more)":
# - ResourceNotFoundException: no such secret (never created, or a replica deleted at once);
# - InvalidRequestException: the secret is scheduled for deletion (DeleteSecret with a recovery
#   window, what Terraform does when a key id is removed), so its value cannot be read.
# https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_GetSecretValue.html (Errors)
# https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_DeleteSecret.html
_NOT_FOUND_CODES = frozenset({"ResourceNotFoundException", "InvalidRequestException"})


@dataclass(frozen=True)
class PartnerKeyId:
    """``<partner>/<key_id>``: which partner signed the token, and with which of its keys."""

    partner: str
    key_id: str

    @classmethod
    def parse(cls, kid: object) -> PartnerKeyId:
        match = _KID.fullmatch(kid) if isinstance(kid, str) else None
        if match is None:
            raise TokenRejectedError("malformed_kid")
        return cls(match["partner"], match["key_id"])

    def __str__(self) -> str:
        return f"{self.partner}/{self.key_id}"


class SecretsClient(Protocol):
    """The one Secrets Manager call the authorizer makes."""

    def get_secret_value(self, *, SecretId: str) -> Mapping[str, Any]: ...  # noqa: N803


def _secrets_manager() -> SecretsClient:
    client: SecretsClient = aws.client("secretsmanager")
    return client


@dataclass
class _Entry:
    key: str | None  # None: the secret does not exist (negative cache)
    expires_at: float


class _KeyNotFoundError(Exception):
    pass


class _TokenBucket:
    """At most ``capacity`` takes at once, refilled at ``capacity`` per ``period`` seconds."""

    def __init__(self, capacity: int, period: float, now: float) -> None:
        self.capacity = capacity
        self.rate = capacity / period
        self.tokens = float(capacity)
        self.updated = now

    def take(self, now: float) -> bool:
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True


class PartnerKeyStore:
    # Look-ups of kids not in the cache, per container: a burst of 10, refilled at 10 a minute.
    UNKNOWN_KID_LOOKUPS_PER_MINUTE: ClassVar[int] = 10
    # Entries kept at most (expired ones are dropped first): forged kids cannot grow it unbounded.
    MAX_ENTRIES: ClassVar[int] = 1024

    def __init__(
        self,
        secret_prefix: str,
        cache_seconds: int,
        client: Callable[[], SecretsClient] = _secrets_manager,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.secret_prefix = secret_prefix
        self.cache_seconds = cache_seconds
        self.client = client
        self.clock = clock
        self._entries: dict[PartnerKeyId, _Entry] = {}
        self._unknown_lookups = _TokenBucket(self.UNKNOWN_KID_LOOKUPS_PER_MINUTE, 60.0, clock())

    @property
    def cache_size(self) -> int:
        """How many kids (known or unknown) are cached."""
        return len(self._entries)

    def signing_key(self, key_id: PartnerKeyId) -> str:
        """The key named by ``key_id``; ``TokenRejectedError`` if there is none."""
        now = self.clock()
        entry = self._entries.get(key_id)
        if entry is not None and now < entry.expires_at:
            if entry.key is None:
                raise TokenRejectedError("unknown_key")
            return entry.key
        known = entry is not None and entry.key is not None
        if not known and not self._unknown_lookups.take(now):
            raise TokenRejectedError("key_lookup_rate_limited")
        # Past its window a cached key is never served stale, so a revocation takes effect; if
        # the read fails with an outage the expired entry stays, still counting as known.
        try:
            key = self._read(key_id)
        except _KeyNotFoundError:
            self._remember(key_id, None, now)
            raise TokenRejectedError("unknown_key") from None
        self._remember(key_id, key, now)
        return key

    def _read(self, key_id: PartnerKeyId) -> str:
        try:
            response = self.client().get_secret_value(SecretId=f"{self.secret_prefix}{key_id}")
        except ClientError as error:
            code = str(error.response.get("Error", {}).get("Code", ""))
            if code in _NOT_FOUND_CODES:
                raise _KeyNotFoundError from error
            raise DependencyUnavailableError("secretsmanager", code or "client_error") from error
        except Exception as error:
            # Endpoint unreachable, timeouts, credentials: the authorizer cannot decide.
            raise DependencyUnavailableError("secretsmanager", type(error).__name__) from error
        try:
            key = json.loads(response["SecretString"])["signing_key"]
        except (KeyError, TypeError, ValueError) as error:
            raise DependencyUnavailableError("secretsmanager", "malformed_secret") from error
        if not isinstance(key, str) or len(key) < MIN_KEY_LENGTH:
            raise DependencyUnavailableError("secretsmanager", "malformed_secret")
        return key

    def _remember(self, key_id: PartnerKeyId, key: str | None, now: float) -> None:
        if len(self._entries) >= self.MAX_ENTRIES:
            self._entries = {k: e for k, e in self._entries.items() if e.expires_at > now}
            while len(self._entries) >= self.MAX_ENTRIES:
                del self._entries[next(iter(self._entries))]
        self._entries[key_id] = _Entry(key, now + self.cache_seconds)
