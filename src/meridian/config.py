"""Function configuration, read from environment variables and validated once at cold start.

A missing or malformed variable raises ``ConfigError`` naming every problem (never the values,
which could be sensitive); the handler module lets it propagate so the cold start fails loudly
instead of serving requests with a half-valid configuration.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from meridian.errors import ConfigError
from meridian.money import AmountLimits, InvalidAmountError
from meridian.regions import REGION_PATTERN, WRITES_PAUSED, WriteFence

_LOG = logging.getLogger(__name__)
_USER_POOL_ID = re.compile(r"^(?P<region>[a-z]{2}(-[a-z]+)+-\d)_[A-Za-z0-9]+$")
_REGION = REGION_PATTERN
_TABLE_NAME = re.compile(r"^[A-Za-z0-9_.-]{3,255}$")
_CLIENT_ID = re.compile(r"^[\w+]{1,128}$")
_DIGITS = re.compile(r"^[0-9]{1,12}$")
# Secrets Manager names allow letters, digits and /_+=.@- ; the prefix ends in "/".
_SECRET_PREFIX = re.compile(r"^[A-Za-z0-9/_+=.@-]{1,400}/$")
_USAGE_KEY_PREFIX = re.compile(r"^[A-Za-z0-9_.-]{1,100}$")
# An SNS topic ARN of any partition (standard or FIFO topic name).
_TOPIC_ARN = re.compile(
    r"^arn:aws[a-z-]*:sns:[a-z]{2}(-[a-z]+)+-\d:\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$"
)
_LOG_LEVELS = frozenset({"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"})
# `*` or one origin: the rule of the Terraform variable cors_allow_origin (infra/variables.tf).
_CORS_ORIGIN = re.compile(r"^(\*|https?://[a-z0-9.-]+(:[0-9]+)?)$")


class _Reader:
    """Collects every problem so one failed cold start reports them all."""

    def __init__(self, env: Mapping[str, str]) -> None:
        self.env = env
        self.problems: list[str] = []

    def text(
        self, name: str, pattern: re.Pattern[str] | None = None, default: str | None = None
    ) -> str:
        value = self.env.get(name, default)
        if value is None or value == "":
            self.problems.append(f"{name} is required")
            return ""
        if pattern is not None and not pattern.fullmatch(value):
            self.problems.append(f"{name} is malformed")
        return value

    def integer(self, name: str, default: int, minimum: int, maximum: int) -> int:
        raw = self.env.get(name, "")
        if raw == "":
            return default
        if not _DIGITS.fullmatch(raw) or not minimum <= int(raw) <= maximum:
            self.problems.append(f"{name} must be an integer between {minimum} and {maximum}")
            return default
        return int(raw)

    def amount_limits(self, name: str) -> AmountLimits:
        """A JSON object currency → maximum (decimal string) over the built-in defaults."""
        raw = self.env.get(name, "")
        if raw == "":
            return AmountLimits.defaults()
        try:
            overrides = json.loads(raw, object_pairs_hook=_unique_keys)
            if not isinstance(overrides, dict) or not all(
                isinstance(value, str) for value in overrides.values()
            ):
                raise InvalidAmountError("must map currency codes to decimal strings")
            return AmountLimits.with_overrides(overrides)
        except (ValueError, RecursionError) as problem:  # InvalidAmountError is a ValueError
            self.problems.append(f"{name} is malformed: {problem}")
            return AmountLimits.defaults()

    def write_fence(self) -> WriteFence:
        """AWS_REGION (set by Lambda) and WRITE_REGION (Terraform: the active region, or
        ``none`` while writes are paused). Required: a function that cannot tell whether it may
        write must not start."""
        region = self.text("AWS_REGION", _REGION)
        write_region = self.text("WRITE_REGION")
        if (
            write_region
            and write_region != WRITES_PAUSED
            and not REGION_PATTERN.fullmatch(write_region)
        ):
            self.problems.append(f"WRITE_REGION must be a region name or {WRITES_PAUSED!r}")
        return WriteFence.from_env(region, write_region)

    def cors_allow_origin(self) -> str:
        return self.text("CORS_ALLOW_ORIGIN", _CORS_ORIGIN)

    def log_level(self) -> str:
        level = self.env.get("LOG_LEVEL", "INFO").upper()
        if level not in _LOG_LEVELS:
            self.problems.append(f"LOG_LEVEL must be one of {sorted(_LOG_LEVELS)}")
        return level

    def done(self, function: str) -> None:
        if self.problems:
            raise ConfigError(f"invalid {function} configuration: " + "; ".join(self.problems))


@dataclass(frozen=True)
class ProfilesConfig:
    table_name: str
    environment: str
    session_ttl_seconds: int
    cors_allow_origin: str
    write_fence: WriteFence

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> ProfilesConfig:
        read = _Reader(env)
        config = cls(
            table_name=read.text("TABLE_NAME", _TABLE_NAME),
            environment=read.text("ENVIRONMENT"),
            session_ttl_seconds=read.integer("SESSION_TTL_SECONDS", 2_592_000, 60, 31_536_000),
            cors_allow_origin=read.cors_allow_origin(),
            write_fence=read.write_fence(),
        )
        read.log_level()
        read.done("profiles")
        return config


@dataclass(frozen=True)
class TransactionsConfig:
    table_name: str
    environment: str
    max_transaction_amounts: AmountLimits
    idempotency_ttl_seconds: int
    cors_allow_origin: str
    write_fence: WriteFence

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> TransactionsConfig:
        read = _Reader(env)
        config = cls(
            table_name=read.text("TABLE_NAME", _TABLE_NAME),
            environment=read.text("ENVIRONMENT"),
            max_transaction_amounts=read.amount_limits("MAX_TRANSACTION_AMOUNTS"),
            idempotency_ttl_seconds=read.integer("IDEMPOTENCY_TTL_SECONDS", 86_400, 60, 2_592_000),
            cors_allow_origin=read.cors_allow_origin(),
            write_fence=read.write_fence(),
        )
        read.log_level()
        read.done("transactions")
        return config


@dataclass(frozen=True)
class HealthConfig:
    table_name: str
    environment: str
    region: str
    cors_allow_origin: str

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> HealthConfig:
        read = _Reader(env)
        config = cls(
            table_name=read.text("TABLE_NAME", _TABLE_NAME),
            environment=read.text("ENVIRONMENT"),
            region=read.text("AWS_REGION", _REGION),
            cors_allow_origin=read.cors_allow_origin(),
        )
        read.log_level()
        read.done("health")
        return config


@dataclass(frozen=True)
class TransactionEventsConfig:
    environment: str
    region: str
    topic_arn: str

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> TransactionEventsConfig:
        read = _Reader(env)
        config = cls(
            environment=read.text("ENVIRONMENT"),
            region=read.text("AWS_REGION", _REGION),
            topic_arn=read.text("EVENTS_TOPIC_ARN", _TOPIC_ARN),
        )
        if config.region and config.topic_arn and f":sns:{config.region}:" not in config.topic_arn:
            # The publisher only ever publishes to its own region's topic (contract F).
            read.problems.append("EVENTS_TOPIC_ARN must be a topic of this function's region")
        read.log_level()
        read.done("transaction_events")
        return config


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
        read = _Reader(env)
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
            region=read.text("AWS_REGION", _REGION),
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
        read.log_level()
        read.done("authorizer")
        return config


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    document = dict(pairs)
    if len(document) != len(pairs):
        raise ValueError("repeats a key")
    return document


ConfigT = TypeVar("ConfigT")


def load_at_cold_start(
    factory: Callable[[Mapping[str, str]], ConfigT], env: Mapping[str, str]
) -> ConfigT:
    """Build the configuration or log the problems and re-raise, failing the cold start."""
    try:
        return factory(env)
    except ConfigError as error:
        _LOG.critical("cold start aborted: %s", error)
        raise
