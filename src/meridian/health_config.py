"""Configuration of the health function (read once at cold start: ``meridian.config``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from meridian.config import REGION, TABLE_NAME, Reader


@dataclass(frozen=True)
class HealthConfig:
    table_name: str
    environment: str
    region: str
    cors_allow_origin: str

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> HealthConfig:
        read = Reader(env)
        config = cls(
            table_name=read.text("TABLE_NAME", TABLE_NAME),
            environment=read.text("ENVIRONMENT"),
            region=read.text("AWS_REGION", REGION),
            cors_allow_origin=read.cors_allow_origin(),
        )
        read.done("health")
        return config
