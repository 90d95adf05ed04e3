"""Profile and session use cases. The caller's id always comes from the verified token."""

from __future__ import annotations

from typing import Any

from meridian import clock, errors, ids
from meridian.repository import (
    PROFILE_SK,
    SESSION_PREFIX,
    TRANSACTION_PREFIX,
    Item,
    Repository,
    user_pk,
)
from meridian.transactions.views import transaction_view

PROFILE_FIELDS = ("display_name", "locale", "marketing_opt_in")


def _live(session: Item, now: int) -> bool:
    # TTL deletion is lazy (up to days late), so expired sessions are filtered on read too.
    return int(session["expires_at"]) > now


def profile_view(item: Item) -> dict[str, Any]:
    view: dict[str, Any] = {
        "user_id": item["user_id"],
        "display_name": item["display_name"],
        "marketing_opt_in": bool(item.get("marketing_opt_in", False)),
        "version": int(item["version"]),
        "created_at": item["created_at"],
        "updated_at": item["updated_at"],
    }
    if item.get("locale"):
        view["locale"] = item["locale"]
    return view


def session_view(item: Item) -> dict[str, Any]:
    return {
        "session_id": item["session_id"],
        "device_name": item["device_name"],
        "platform": item["platform"],
        "created_at": item["created_at"],
        "expires_at": int(item["expires_at"]),
    }


class ProfileService:
    def __init__(self, repository: Repository, session_ttl_seconds: int) -> None:
        self.repository = repository
        self.session_ttl_seconds = session_ttl_seconds

    # -- profile --------------------------------------------------------------------------
    def create_profile(self, user_id: str, body: dict[str, Any]) -> dict[str, Any]:
        now = clock.now_rfc3339()
        item: Item = {
            "pk": user_pk(user_id),
            "sk": PROFILE_SK,
            "user_id": user_id,
            "display_name": body["display_name"],
            "marketing_opt_in": bool(body.get("marketing_opt_in", False)),
            "version": 1,
            "created_at": now,
            "updated_at": now,
        }
        if "locale" in body:
            item["locale"] = body["locale"]
        self.repository.create_profile(item)
        return profile_view(item)

    def get_profile(self, user_id: str) -> dict[str, Any]:
        item = self.repository.get_item(user_pk(user_id), PROFILE_SK)
        if item is None:
            raise errors.NotFoundError("no profile exists for this user")
        return profile_view(item)

    def update_profile(self, user_id: str, body: dict[str, Any]) -> dict[str, Any]:
        changes = {field: body[field] for field in PROFILE_FIELDS if field in body}
        item = self.repository.update_profile(
            user_id, int(body["version"]), changes, clock.now_rfc3339()
        )
        return profile_view(item)

    def delete_profile(self, user_id: str) -> None:
        """GDPR erasure: the profile and every session of the caller.

        Transactions are financial records that must be retained by law, so they stay (they
        hold no personal data beyond the opaque user id). One Query finds the profile and the
        sessions (adjacent sort keys); sessions go first and the profile last, so a request that
        fails half-way can simply be retried.
        """
        pk = user_pk(user_id)
        items = self.repository.query_sort_key_span(pk, PROFILE_SK, SESSION_PREFIX)
        if not any(item["sk"] == PROFILE_SK for item in items):
            raise errors.NotFoundError("no profile exists for this user")
        keys = [{"pk": pk, "sk": str(item["sk"])} for item in items if item["sk"] != PROFILE_SK]
        keys.append({"pk": pk, "sk": PROFILE_SK})
        self.repository.delete_keys(keys)

    def export(self, user_id: str) -> dict[str, Any]:
        """GDPR access/portability: everything stored about the caller, read by one Query over
        the caller's partition (profile, sessions and transactions have adjacent sort keys)."""
        items = self.repository.query_sort_key_span(
            user_pk(user_id), PROFILE_SK, TRANSACTION_PREFIX
        )
        now = clock.epoch_seconds()
        profile = next((item for item in items if item["sk"] == PROFILE_SK), None)
        return {
            "profile": profile_view(profile) if profile else None,
            "sessions": [
                session_view(item)
                for item in items
                if str(item["sk"]).startswith(SESSION_PREFIX) and _live(item, now)
            ],
            "transactions": [
                transaction_view(item)
                for item in items
                if str(item["sk"]).startswith(TRANSACTION_PREFIX)
            ],
        }

    # -- sessions -------------------------------------------------------------------------
    def create_session(self, user_id: str, body: dict[str, Any]) -> dict[str, Any]:
        session_id = ids.new_ulid()
        item: Item = {
            "pk": user_pk(user_id),
            "sk": SESSION_PREFIX + session_id,
            "session_id": session_id,
            "device_name": body["device_name"],
            "platform": body["platform"],
            "created_at": clock.now_rfc3339(),
            "expires_at": clock.epoch_seconds() + self.session_ttl_seconds,
        }
        self.repository.create_session(user_id, item)
        return session_view(item)

    def list_sessions(self, user_id: str) -> list[dict[str, Any]]:
        now = clock.epoch_seconds()
        items = self.repository.query_partition(user_pk(user_id), SESSION_PREFIX)
        return [session_view(item) for item in items if _live(item, now)]

    def delete_session(self, user_id: str, session_id: str) -> None:
        if not ids.is_ulid(session_id):
            raise errors.NotFoundError("no such session")
        self.repository.delete_session(user_id, session_id)
