"""Profile and session use cases. The caller's id always comes from the verified token (a
Cognito user: profiles, sessions, the export and the erasure only ever touch user data)."""

from __future__ import annotations

from typing import Any

from meridian import clock, errors, ids
from meridian.profiles.model import Profile, ProfileChanges, Session
from meridian.repository import Repository


class ProfileService:
    def __init__(self, repository: Repository, session_ttl_seconds: int) -> None:
        self.repository = repository
        self.session_ttl_seconds = session_ttl_seconds

    # -- profile --------------------------------------------------------------------------
    def create_profile(self, user_id: str, body: dict[str, Any]) -> dict[str, Any]:
        now = clock.now_rfc3339()
        profile = Profile(
            user_id=user_id,
            display_name=body["display_name"],
            marketing_opt_in=bool(body.get("marketing_opt_in", False)),
            version=1,
            created_at=now,
            updated_at=now,
            locale=body.get("locale"),
        )
        self.repository.create_profile(profile)
        return profile.view()

    def get_profile(self, user_id: str) -> dict[str, Any]:
        profile = self.repository.get_profile(user_id)
        if profile is None:
            raise errors.NotFoundError("no profile exists for this user")
        return profile.view()

    def update_profile(self, user_id: str, body: dict[str, Any]) -> dict[str, Any]:
        changes = ProfileChanges(
            display_name=body.get("display_name"),
            locale=body.get("locale"),
            marketing_opt_in=body.get("marketing_opt_in"),
        )
        profile = self.repository.update_profile(
            user_id, int(body["version"]), changes, clock.now_rfc3339()
        )
        return profile.view()

    def delete_profile(self, user_id: str, deadline: float | None = None) -> None:
        """GDPR erasure, complete and race-free (docs/data-model.md#personal-data-and-retention).

        1. mark the profile as being erased: from then on no session, profile update or
           transaction of this user can commit (their writes check the mark atomically);
        2. delete every session;
        3. scrub the free-text ``reference`` of the kept transactions and the request digests
           of the idempotency guards;
        4. delete the profile.
        Every step is repeatable, so an erasure that fails half-way, or runs out of time before
        ``deadline`` (``time.monotonic()``; 503), is finished by repeating the request (the
        marked profile is already invisible to every read).
        """
        self.repository.begin_erasure(user_id, clock.now_rfc3339())
        self.repository.delete_sessions(user_id)
        if not self.repository.scrub_personal_data(user_id, deadline):
            raise errors.ErasureInProgressError(
                "the erasure is not finished yet; repeat the request to continue it"
            )
        self.repository.finish_erasure(user_id)

    def export(self, user_id: str, cursor: str | None) -> dict[str, Any]:
        """GDPR access/portability, one page at a time (``next_cursor`` until null).

        The profile and the sessions sort before the transactions, so they come first; a page
        holds at most ``EXPORT_PAGE_ITEMS`` items and stays far below Lambda's 6 MB response.
        """
        page = self.repository.export_page(user_id, cursor, clock.epoch_seconds())
        return {
            "profile": page.profile.view() if page.profile else None,
            "sessions": [session.view() for session in page.sessions],
            "transactions": [transaction.view() for transaction in page.transactions],
            "next_cursor": page.next_cursor,
        }

    # -- sessions -------------------------------------------------------------------------
    def create_session(self, user_id: str, body: dict[str, Any]) -> dict[str, Any]:
        session = Session(
            session_id=ids.new_ulid(),
            device_name=body["device_name"],
            platform=body["platform"],
            created_at=clock.now_rfc3339(),
            expires_at=clock.epoch_seconds() + self.session_ttl_seconds,
        )
        self.repository.create_session(user_id, session)
        return session.view()

    def list_sessions(self, user_id: str) -> list[dict[str, Any]]:
        return [
            session.view()
            for session in self.repository.list_sessions(user_id, clock.epoch_seconds())
        ]

    def delete_session(self, user_id: str, session_id: str) -> None:
        self.repository.delete_session(user_id, session_id, clock.epoch_seconds())
