"""Function configuration, read from environment variables and validated once at cold start.

This module holds what every function shares (the reader, common patterns, the cold-start
loader); each function's own dataclass lives beside its code (``meridian.profiles.config``,
``meridian.transactions.config``, ``meridian.health_config``, ``meridian.events.config``,
``meridian.auth.config``), so a function's init defines only its own (bench/findings.md).

A missing or malformed variable raises ``ConfigError`` naming every problem (never the values,
which could be sensitive); the handler module lets it propagate so the cold start fails loudly
instead of serving requests with a half-valid configuration.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from meridian.errors import ConfigError
from meridian.money import AmountLimits, InvalidAmountError
from meridian.regions import REGION_PATTERN, WRITES_PAUSED, WriteFence

_LOG = logging.getLogger(__name__)
REGION = REGION_PATTERN
TABLE_NAME = re.compile(r"^[A-Za-z0-9_.-]{3,255}$")
_DIGITS = re.compile(r"^[0-9]{1,12}$")
_LOG_LEVELS = frozenset({"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"})
# `*` or one origin: the rule of the Terraform variable cors_allow_origin (infra/variables.tf).
CORS_ORIGIN = re.compile(r"^(\*|https?://[a-z0-9.-]+(:[0-9]+)?)$")


class Reader:
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
        region = self.text("AWS_REGION", REGION)
        write_region = self.text("WRITE_REGION")
        if (
            write_region
            and write_region != WRITES_PAUSED
            and not REGION_PATTERN.fullmatch(write_region)
        ):
            self.problems.append(f"WRITE_REGION must be a region name or {WRITES_PAUSED!r}")
        return WriteFence.from_env(region, write_region)

    def cors_allow_origin(self) -> str:
        return self.text("CORS_ALLOW_ORIGIN", CORS_ORIGIN)

    def done(self, function: str) -> None:
        """Raise ``ConfigError`` with every problem found. LOG_LEVEL (Powertools reads it; every
        function has it) is checked here, once for all of them."""
        if self.env.get("LOG_LEVEL", "INFO").upper() not in _LOG_LEVELS:
            self.problems.append(f"LOG_LEVEL must be one of {sorted(_LOG_LEVELS)}")
        if self.problems:
            raise ConfigError(f"invalid {function} configuration: " + "; ".join(self.problems))


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
