"""The Cognito user pool's signing keys (JWKS), cached per ``kid`` and refreshed on a schedule.

AWS: "Amazon Cognito might rotate signing keys in your user pool. As a best practice, cache public
keys in your app, using the kid as a cache key, and refresh the cache periodically."
https://docs.aws.amazon.com/cognito/latest/developerguide/amazon-cognito-user-pools-using-tokens-verifying-a-jwt.html

Rules (docs/security.md states the same windows):
- **Periodic refresh.** Once the cached set is ``MAX_KEY_AGE_SECONDS`` (1 hour) old, the next token
  triggers a refresh. A successful refresh replaces the set, so a key removed from the JWKS stops
  being trusted at most 1 hour after its removal (while the endpoint answers).
- **Unknown kid.** A kid not in the set triggers a refresh, at most once per
  ``MIN_REFRESH_INTERVAL_SECONDS`` after a successful fetch, so forged kids cannot hammer the
  endpoint; inside that interval an unknown kid is rejected (401).
- **Failed refresh.** Known keys keep being served (the failure is logged at WARNING); the next
  attempt is allowed after ``RETRY_AFTER_FAILURE_SECONDS``. A document with no usable key counts
  as a failure and never empties the cache.
- **Outage.** A kid that is not cached while the endpoint cannot be reached is an outage
  (``DependencyUnavailableError`` → 503), not a bad token: the authorizer cannot tell.
"""

from __future__ import annotations

import functools
import json
import time
import urllib.request
from collections.abc import Callable
from typing import Any

import jwt

from meridian.auth.errors import DependencyUnavailableError, TokenRejectedError
from meridian.observability import logger

FETCH_TIMEOUT_SECONDS = 2.0
MAX_JWKS_BYTES = 64 * 1024
MAX_KEY_AGE_SECONDS = 3600.0
MIN_REFRESH_INTERVAL_SECONDS = 60.0
RETRY_AFTER_FAILURE_SECONDS = 5.0


@functools.cache
def _plain_http_opener() -> urllib.request.OpenerDirector:
    """An opener for http:// only. ``urlopen``'s default opener also builds an HTTPS handler,
    whose TLS context loads the CA store (~50 ms CPU on a cold start, bench/findings.md) even
    for a plain http request; the local emulator's endpoint is http."""
    opener = urllib.request.OpenerDirector()
    for handler in (
        urllib.request.HTTPHandler(),
        urllib.request.HTTPDefaultErrorHandler(),
        urllib.request.HTTPRedirectHandler(),
        urllib.request.HTTPErrorProcessor(),
    ):
        opener.add_handler(handler)
    return opener


def fetch_jwks(url: str) -> dict[str, Any]:
    """GET the JWKS document (https on AWS; http only for the local emulator endpoint)."""
    if not url.startswith(("https://", "http://")):
        raise ValueError("JWKS URL must be http(s)")
    request = urllib.request.Request(url, headers={"Accept": "application/json"})  # noqa: S310
    open_url = urllib.request.urlopen if url.startswith("https://") else _plain_http_opener().open
    with open_url(request, timeout=FETCH_TIMEOUT_SECONDS) as response:
        document = json.loads(response.read(MAX_JWKS_BYTES))
    if not isinstance(document, dict):
        raise ValueError("JWKS document is not an object")
    return document


def usable_keys(document: dict[str, Any]) -> dict[str, Any]:
    """The RS256 signing keys of a JWKS document by ``kid``; anything else is skipped."""
    keys: dict[str, Any] = {}
    for jwk in document.get("keys") or []:
        if not isinstance(jwk, dict) or jwk.get("kty") != "RSA":
            continue
        if jwk.get("use", "sig") != "sig" or jwk.get("alg", "RS256") != "RS256":
            continue
        kid = jwk.get("kid")
        if isinstance(kid, str) and kid:
            try:
                keys[kid] = jwt.PyJWK(jwk, algorithm="RS256").key
            except jwt.PyJWTError:
                continue
    return keys


class JwksCache:
    def __init__(
        self,
        url: str,
        fetch: Callable[[str], dict[str, Any]] = fetch_jwks,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.url = url
        self.fetch = fetch
        self.clock = clock
        self._keys: dict[str, Any] = {}
        self._fetched_at: float | None = None  # last successful refresh
        self._attempted_at: float | None = None  # last refresh attempt, successful or not
        self._last_failed = False

    def key_for(self, kid: str) -> Any:  # noqa: ANN401 - a cryptography public key object
        now = self.clock()
        if kid in self._keys:
            if self._stale(now) and self._may_attempt(now):
                self._refresh(now)  # a failure keeps the known keys
            if kid in self._keys:
                return self._keys[kid]
            raise TokenRejectedError("unknown_kid")  # removed from the JWKS
        if self._may_attempt(now):
            self._refresh(now)
        if kid in self._keys:
            return self._keys[kid]
        if self._last_failed:
            raise DependencyUnavailableError("jwks", "unreachable")
        raise TokenRejectedError("unknown_kid")

    def _stale(self, now: float) -> bool:
        return self._fetched_at is None or now - self._fetched_at >= MAX_KEY_AGE_SECONDS

    def _may_attempt(self, now: float) -> bool:
        if self._attempted_at is None:
            return True
        wait = RETRY_AFTER_FAILURE_SECONDS if self._last_failed else MIN_REFRESH_INTERVAL_SECONDS
        return now - self._attempted_at >= wait

    def _refresh(self, now: float) -> bool:
        # Stamp before fetching: a failing endpoint is retried at a bounded rate.
        self._attempted_at = now
        try:
            keys = usable_keys(self.fetch(self.url))
            if not keys:
                raise ValueError("JWKS document holds no usable RS256 key")
        except Exception as error:
            self._last_failed = True
            logger.warning(
                "JWKS refresh failed; serving the cached keys",
                extra={"error": type(error).__name__, "cached_keys": len(self._keys)},
            )
            return False
        self._keys, self._fetched_at, self._last_failed = keys, now, False
        return True
