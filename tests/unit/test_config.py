from __future__ import annotations

import logging
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from meridian.auth.config import AuthorizerConfig
from meridian.config import load_at_cold_start
from meridian.errors import ConfigError
from meridian.events.config import TransactionEventsConfig
from meridian.health_config import HealthConfig
from meridian.money import DEFAULT_MAX_AMOUNTS, AmountLimits
from meridian.profiles.config import ProfilesConfig
from meridian.transactions.config import TransactionsConfig

AUTHORIZER_ENV = {
    "ENVIRONMENT": "dev",
    "AWS_REGION": "eu-west-1",
    "COGNITO_USER_POOL_ID": "eu-west-1_AbCdEf123",
    "COGNITO_APP_CLIENT_IDS": "abc, def",
    "PARTNER_KEY_SECRET_PREFIX": "meridian-dev/partner-keys/",
    "PARTNER_ISSUER": "iss",
    "PARTNER_AUDIENCE": "aud",
    "USAGE_KEY_PREFIX": "meridian-dev-usage-",
}


BASE = {
    "TABLE_NAME": "meridian-dev",
    "ENVIRONMENT": "dev",
    "CORS_ALLOW_ORIGIN": "*",
    "AWS_REGION": "eu-west-1",
    "WRITE_REGION": "eu-west-1",
}


def test_profiles_config_defaults_and_values() -> None:
    config = ProfilesConfig.from_env(BASE)
    assert config.session_ttl_seconds == 2_592_000
    assert config.cors_allow_origin == "*"
    config = ProfilesConfig.from_env({**BASE, "SESSION_TTL_SECONDS": "600"})
    assert config.session_ttl_seconds == 600


def test_every_problem_is_reported_at_once() -> None:
    with pytest.raises(ConfigError) as caught:
        ProfilesConfig.from_env({"SESSION_TTL_SECONDS": "soon", "LOG_LEVEL": "LOUD"})
    message = str(caught.value)
    for needle in (
        "TABLE_NAME is required",
        "ENVIRONMENT is required",
        "CORS_ALLOW_ORIGIN is required",
        "SESSION_TTL_SECONDS",
        "LOG_LEVEL",
    ):
        assert needle in message


@pytest.mark.parametrize("origin", ["*", "https://app.example.com", "http://localhost:8080"])
def test_cors_allow_origin_accepts_star_or_one_origin(origin: str) -> None:
    for config_class in (ProfilesConfig, TransactionsConfig, HealthConfig):
        env = {**BASE, "AWS_REGION": "us-east-1", "CORS_ALLOW_ORIGIN": origin}
        assert config_class.from_env(env).cors_allow_origin == origin


@pytest.mark.parametrize(
    "origin",
    ["", "app.example.com", "https://app.example.com/", "https://a.example, https://b.example"],
)
def test_cors_allow_origin_rejects_anything_else(origin: str) -> None:
    # The same rule as the Terraform variable cors_allow_origin.
    with pytest.raises(ConfigError, match="CORS_ALLOW_ORIGIN"):
        ProfilesConfig.from_env({**BASE, "CORS_ALLOW_ORIGIN": origin})


def test_transactions_config_without_overrides_uses_the_default_limits() -> None:
    config = TransactionsConfig.from_env(BASE)
    assert config.max_transaction_amounts == AmountLimits.defaults()


def test_transactions_config() -> None:
    env = {
        **BASE,
        "MAX_TRANSACTION_AMOUNTS": '{"USD": "2500.50", "VND": "30000000000"}',
    }
    config = TransactionsConfig.from_env(env)
    assert config.max_transaction_amounts.maximum("USD") == Decimal("2500.50")
    assert config.max_transaction_amounts.maximum("VND") == Decimal(30_000_000_000)
    assert config.max_transaction_amounts.maximum("EUR") == Decimal(DEFAULT_MAX_AMOUNTS["EUR"])


@pytest.mark.parametrize(
    "raw",
    [
        "not json",
        '["USD", "10"]',
        '{"USD": 10}',
        '{"USD": "-5"}',
        '{"USD": "0"}',
        '{"USD": "Infinity"}',
        '{"USD": "1.001"}',
        '{"XXX": "10"}',
        '{"USD": "10", "USD": "20"}',
    ],
)
def test_transactions_config_rejects_bad_maximums(raw: str) -> None:
    with pytest.raises(ConfigError, match="MAX_TRANSACTION_AMOUNTS"):
        TransactionsConfig.from_env({**BASE, "MAX_TRANSACTION_AMOUNTS": raw})


def test_health_config_needs_a_valid_region() -> None:
    with pytest.raises(ConfigError, match="AWS_REGION is malformed"):
        HealthConfig.from_env({**BASE, "AWS_REGION": "mars"})
    with pytest.raises(ConfigError, match="TABLE_NAME is malformed"):
        HealthConfig.from_env({**BASE, "TABLE_NAME": "a b", "AWS_REGION": "us-east-1"})


def test_authorizer_config_derives_jwks_url_and_issuer() -> None:
    config = AuthorizerConfig.from_env(AUTHORIZER_ENV)
    issuer = "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123"
    assert config.cognito_issuer == issuer
    assert config.jwks_url == f"{issuer}/.well-known/jwks.json"
    assert config.app_client_ids == frozenset({"abc", "def"})
    # Defaults of decision 3: keys cached 5 minutes, partner tokens live at most 1 hour.
    assert config.partner_key_cache_seconds == 300
    assert config.partner_token_max_lifetime_seconds == 3600
    assert config.partner_key_secret_prefix == "meridian-dev/partner-keys/"
    assert config.usage_key_prefix == "meridian-dev-usage-"


def test_authorizer_config_reads_the_partner_windows() -> None:
    config = AuthorizerConfig.from_env(
        {
            **AUTHORIZER_ENV,
            "PARTNER_KEY_CACHE_SECONDS": "60",
            "PARTNER_TOKEN_MAX_LIFETIME_SECONDS": "900",
        }
    )
    assert config.partner_key_cache_seconds == 60
    assert config.partner_token_max_lifetime_seconds == 900


@pytest.mark.parametrize("name", ["PARTNER_KEY_SECRET_PREFIX", "USAGE_KEY_PREFIX"])
def test_authorizer_config_requires_the_prefixes(name: str) -> None:
    env = {key: value for key, value in AUTHORIZER_ENV.items() if key != name}
    with pytest.raises(ConfigError, match=f"{name} is required"):
        AuthorizerConfig.from_env(env)


@pytest.mark.parametrize("override", ["AWS_ENDPOINT_URL_COGNITO_IDP", "AWS_ENDPOINT_URL"])
def test_authorizer_jwks_url_follows_the_local_endpoint(override: str) -> None:
    config = AuthorizerConfig.from_env({**AUTHORIZER_ENV, override: "http://127.0.0.1:4566/"})
    assert config.jwks_url == "http://127.0.0.1:4566/eu-west-1_AbCdEf123/.well-known/jwks.json"
    # The issuer never changes: tokens carry the AWS issuer even from the emulator.
    assert config.cognito_issuer.startswith("https://cognito-idp.eu-west-1.amazonaws.com/")


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("COGNITO_USER_POOL_ID", "not-a-pool"),
        ("COGNITO_APP_CLIENT_IDS", " , "),
        ("COGNITO_APP_CLIENT_IDS", "bad id!"),
        ("PARTNER_KEY_SECRET_PREFIX", "no-trailing-slash"),
        ("PARTNER_KEY_SECRET_PREFIX", "bad prefix/"),
        ("PARTNER_KEY_CACHE_SECONDS", "-1"),
        ("PARTNER_KEY_CACHE_SECONDS", "3601"),
        ("PARTNER_KEY_CACHE_SECONDS", "\u00b2"),
        ("PARTNER_TOKEN_MAX_LIFETIME_SECONDS", "0"),
        ("PARTNER_TOKEN_MAX_LIFETIME_SECONDS", "86401"),
        ("USAGE_KEY_PREFIX", "bad prefix"),
    ],
)
def test_authorizer_config_rejects(name: str, value: str) -> None:
    with pytest.raises(ConfigError, match=name):
        AuthorizerConfig.from_env({**AUTHORIZER_ENV, name: value})


def test_cold_start_logs_and_fails(caplog) -> None:
    with caplog.at_level(logging.CRITICAL), pytest.raises(ConfigError):
        load_at_cold_start(HealthConfig.from_env, {})
    assert "cold start aborted" in caplog.text
    assert "TABLE_NAME is required" in caplog.text


@pytest.mark.parametrize("function", ["profiles", "transactions", "health", "authorizer"])
def test_cold_start_of_a_misconfigured_function_fails(function: str) -> None:
    """Importing the handler module is the cold start: it must fail, naming the variable."""
    environment = {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": str(Path(__file__).resolve().parents[2] / "src"),
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
        "ENVIRONMENT": "test",
        "POWERTOOLS_TRACE_DISABLED": "1",
    }
    completed = subprocess.run(  # noqa: S603 - fixed argv
        [sys.executable, "-c", f"import meridian.handlers.{function}"],
        env=environment, capture_output=True, text=True, check=False, timeout=60,
    )  # fmt: skip
    assert completed.returncode != 0
    assert "cold start aborted" in completed.stderr
    expected = "COGNITO_USER_POOL_ID" if function == "authorizer" else "TABLE_NAME"
    assert f"{expected} is required" in completed.stderr


EVENTS_ENV = {
    "ENVIRONMENT": "dev",
    "AWS_REGION": "eu-west-1",
    "EVENTS_TOPIC_ARN": "arn:aws:sns:eu-west-1:123456789012:meridian-dev-transaction-events",
}


def test_transaction_events_config() -> None:
    config = TransactionEventsConfig.from_env(EVENTS_ENV)
    assert (config.region, config.topic_arn) == ("eu-west-1", EVENTS_ENV["EVENTS_TOPIC_ARN"])


@pytest.mark.parametrize(
    ("topic_arn", "problem"),
    [
        ("", "EVENTS_TOPIC_ARN is required"),
        ("meridian-dev-transaction-events", "EVENTS_TOPIC_ARN is malformed"),
        (
            "arn:aws:sns:us-east-1:123456789012:meridian-dev-transaction-events",
            "EVENTS_TOPIC_ARN must be a topic of this function's region",
        ),
    ],
)
def test_transaction_events_config_needs_this_regions_topic(topic_arn: str, problem: str) -> None:
    with pytest.raises(ConfigError, match=problem):
        TransactionEventsConfig.from_env({**EVENTS_ENV, "EVENTS_TOPIC_ARN": topic_arn})
