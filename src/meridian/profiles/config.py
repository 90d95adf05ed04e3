"""Configuration of the profiles function (read once at cold start: ``meridian.config``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from meridian.config import TABLE_NAME, Reader
from meridian.regions import WriteFence


@dataclass(frozen=True)
class ProfilesConfig:
    table_name: str
    environment: str
    session_ttl_seconds: int
    cors_allow_origin: str
    write_fence: WriteFence

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> ProfilesConfig:
        read = Reader(env)
        config = cls(
            table_name=read.text("TABLE_NAME", TABLE_NAME),
            environment=read.text("ENVIRONMENT"),
            session_ttl_seconds=read.integer("SESSION_TTL_SECONDS", 2_592_000, 60, 31_536_000),
            cors_allow_origin=read.cors_allow_origin(),
            write_fence=read.write_fence(),
        )
        read.done("profiles")
        return config
