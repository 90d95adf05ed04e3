"""Configuration of the authorizer function (read once at cold start: ``meridian.config``)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from meridian.config import REGION, Reader

_USER_POOL_ID = re.compile(r"^(?P<region>[a-z]{2}(-[a-z]+)+-\d)_[A-Za-z0-9]+$")
_CLIENT_ID = re.compile(r"^[\w+]{1,128}$")
# Secrets Manager names allow letters, digits and /_+=.@- ; the prefix ends in "/".
_SECRET_PREFIX = re.compile(r"^[A-Za-z0-9/_+=.@-]{1,400}/$")
_USAGE_KEY_PREFIX = re.compile(r"^[A-Za-z0-9_.-]{1,100}$")


@dataclass(frozen=True)
class AuthorizerConfig:
    environment: str
    region: str
    user_pool_id: str
    app_client_ids: frozenset[str]
    jwks_url: str
    cognito_issuer: str
    # Partner keys (decision 3): secret `<prefix><partner>/<key_id>` per key, cached per kid.
    partner_key_secret_prefix: str
    partner_key_cache_seconds: int
    partner_token_max_lifetime_seconds: int
    partner_issuer: str
    partner_audience: str
    # Usage plans (decision 4): API key value = prefix + `partner-<name>` or `app-users`.
    usage_key_prefix: str

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> AuthorizerConfig:
        read = Reader(env)
        pool_id = read.text("COGNITO_USER_POOL_ID", _USER_POOL_ID)
        match = _USER_POOL_ID.fullmatch(pool_id)
        pool_region = match.group("region") if match else ""
        client_ids = frozenset(
            part.strip() for part in read.text("COGNITO_APP_CLIENT_IDS").split(",") if part.strip()
        )
        if any(not _CLIENT_ID.fullmatch(client_id) for client_id in client_ids):
            read.problems.append("COGNITO_APP_CLIENT_IDS is malformed")
        if env.get("COGNITO_APP_CLIENT_IDS") and not client_ids:
            read.problems.append("COGNITO_APP_CLIENT_IDS lists no client id")
        cognito_issuer = f"https://cognito-idp.{pool_region}.amazonaws.com/{pool_id}"
        # The local emulator serves the JWKS itself; the issuer stays the AWS one either way.
        endpoint = env.get("AWS_ENDPOINT_URL_COGNITO_IDP") or env.get("AWS_ENDPOINT_URL")
        jwks_url = (
            f"{endpoint.rstrip('/')}/{pool_id}/.well-known/jwks.json"
            if endpoint
            else f"{cognito_issuer}/.well-known/jwks.json"
        )
        config = cls(
            environment=read.text("ENVIRONMENT"),
            region=read.text("AWS_REGION", REGION),
            user_pool_id=pool_id,
            app_client_ids=client_ids,
            jwks_url=jwks_url,
            cognito_issuer=cognito_issuer,
            partner_key_secret_prefix=read.text("PARTNER_KEY_SECRET_PREFIX", _SECRET_PREFIX),
            # At most an hour, API Gateway's own maximum authorizer cache TTL: the revocation
            # bound is the sum of both (docs/security.md).
            partner_key_cache_seconds=read.integer("PARTNER_KEY_CACHE_SECONDS", 300, 0, 3600),
            partner_token_max_lifetime_seconds=read.integer(
                "PARTNER_TOKEN_MAX_LIFETIME_SECONDS", 3600, 60, 86_400
            ),
            partner_issuer=read.text("PARTNER_ISSUER"),
            partner_audience=read.text("PARTNER_AUDIENCE"),
            usage_key_prefix=read.text("USAGE_KEY_PREFIX", _USAGE_KEY_PREFIX),
        )
        read.done("authorizer")
        return config
