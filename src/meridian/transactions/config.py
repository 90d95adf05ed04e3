"""Configuration of the transactions function (read once at cold start: ``meridian.config``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from meridian.config import TABLE_NAME, Reader
from meridian.money import AmountLimits
from meridian.regions import WriteFence


@dataclass(frozen=True)
class TransactionsConfig:
    table_name: str
    environment: str
    max_transaction_amounts: AmountLimits
    cors_allow_origin: str
    write_fence: WriteFence

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> TransactionsConfig:
        read = Reader(env)
        config = cls(
            table_name=read.text("TABLE_NAME", TABLE_NAME),
            environment=read.text("ENVIRONMENT"),
            max_transaction_amounts=read.amount_limits("MAX_TRANSACTION_AMOUNTS"),
            cors_allow_origin=read.cors_allow_origin(),
            write_fence=read.write_fence(),
        )
        read.done("transactions")
        return config
