"""Typed domain objects of the profiles function (what crosses service/repository boundaries)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from meridian.transactions.model import Transaction


@dataclass(frozen=True, slots=True)
class Profile:
    user_id: str
    display_name: str
    marketing_opt_in: bool
    version: int
    created_at: str
    updated_at: str
    locale: str | None = None

    def view(self) -> dict[str, Any]:
        view: dict[str, Any] = {
            "user_id": self.user_id,
            "display_name": self.display_name,
            "marketing_opt_in": self.marketing_opt_in,
            "version": self.version,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
        }
        if self.locale:
            view["locale"] = self.locale
        return view


@dataclass(frozen=True, slots=True)
class ProfileChanges:
    """The fields PUT /profiles/me may change (None = unchanged)."""

    display_name: str | None = None
    locale: str | None = None
    marketing_opt_in: bool | None = None

    def as_attributes(self) -> dict[str, str | bool]:
        values = {
            "display_name": self.display_name,
            "locale": self.locale,
            "marketing_opt_in": self.marketing_opt_in,
        }
        return {name: value for name, value in values.items() if value is not None}


@dataclass(frozen=True, slots=True)
class Session:
    session_id: str
    device_name: str
    platform: str
    created_at: str
    expires_at: int

    def is_live(self, now: int) -> bool:
        # TTL deletes lazily (up to days late): an expired session is gone for every route.
        return self.expires_at > now

    def view(self) -> dict[str, Any]:
        return {
            "session_id": self.session_id,
            "device_name": self.device_name,
            "platform": self.platform,
            "created_at": self.created_at,
            "expires_at": self.expires_at,
        }


@dataclass(frozen=True, slots=True)
class ExportPage:
    """One page of the GDPR export: the profile and sessions come before the transactions
    (sort-key order), so they appear on the first page(s) and the rest are transactions."""

    profile: Profile | None
    sessions: list[Session] = field(default_factory=list)
    transactions: list[Transaction] = field(default_factory=list)
    next_cursor: str | None = None
