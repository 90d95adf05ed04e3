"""The Cognito user pool's signing keys: fetched once, cached, refreshed on an unknown ``kid``
at most once a minute (so a flood of forged ``kid`` values cannot hammer the endpoint)."""

from __future__ import annotations

import json
import time
import urllib.request
from collections.abc import Callable
from typing import Any

import jwt

from meridian.auth.errors import TokenRejectedError

FETCH_TIMEOUT_SECONDS = 2.0
MIN_REFRESH_INTERVAL_SECONDS = 60.0
MAX_JWKS_BYTES = 64 * 1024


def fetch_jwks(url: str) -> dict[str, Any]:
    """GET the JWKS document (https on AWS; http only for the local emulator endpoint)."""
    if not url.startswith(("https://", "http://")):
        raise ValueError("JWKS URL must be http(s)")
    request = urllib.request.Request(url, headers={"Accept": "application/json"})  # noqa: S310
    with urllib.request.urlopen(request, timeout=FETCH_TIMEOUT_SECONDS) as response:  # noqa: S310
        document = json.loads(response.read(MAX_JWKS_BYTES))
    if not isinstance(document, dict):
        raise ValueError("JWKS document is not an object")
    return document


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
        self._last_refresh: float | None = None

    def key_for(self, kid: str) -> Any:  # noqa: ANN401 - a cryptography public key object
        if kid not in self._keys and self._may_refresh():
            self._refresh()
        try:
            return self._keys[kid]
        except KeyError:
            raise TokenRejectedError("unknown_kid") from None

    def _may_refresh(self) -> bool:
        return (
            self._last_refresh is None
            or self.clock() - self._last_refresh >= MIN_REFRESH_INTERVAL_SECONDS
        )

    def _refresh(self) -> None:
        # Stamp before fetching: a failing endpoint is retried no more often than a rotation.
        self._last_refresh = self.clock()
        try:
            document = self.fetch(self.url)
        except Exception as error:
            raise TokenRejectedError("jwks_unavailable") from error
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
        self._keys = keys
