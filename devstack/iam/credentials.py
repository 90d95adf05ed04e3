"""Temporary credentials of the functions' execution roles, and who an access key belongs to.

Lambda gives a function's execution environment the credentials of its execution role in
``AWS_ACCESS_KEY_ID`` / ``AWS_SECRET_ACCESS_KEY`` / ``AWS_SESSION_TOKEN``
(https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime);
it obtains them with STS AssumeRole, the role session being named after the function, so calls
are made as ``arn:aws:sts::<acct>:assumed-role/<role>/<function>``
(https://docs.aws.amazon.com/lambda/latest/dg/lambda-intro-execution-role.html).

:class:`RoleSessions` does the same against the emulator's STS (the ``assume`` callable): one
session per (role, function), cached and renewed ``refresh_margin`` seconds before it expires, so
a function's workers keep stable credentials and a renewed session simply starts new workers. It
also remembers every session it handed out, which is how the enforcer knows that a request signed
with an access key is a function's call (and not the deployer's ``test`` credentials).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

DEFAULT_DURATION_SECONDS = 3600  # AssumeRole's default DurationSeconds
DEFAULT_REFRESH_MARGIN_SECONDS = 300


@dataclass(frozen=True)
class RoleSession:
    access_key_id: str
    secret_access_key: str
    session_token: str
    expires_at: float  # epoch seconds
    role_arn: str  # arn:aws:iam::<acct>:role/<name>
    session_arn: str  # arn:aws:sts::<acct>:assumed-role/<name>/<session>

    @property
    def account(self) -> str:
        return self.role_arn.split(":")[4]

    def environment(self) -> dict[str, str]:
        """The variables Lambda sets from the execution role."""
        return {
            "AWS_ACCESS_KEY_ID": self.access_key_id,
            "AWS_SECRET_ACCESS_KEY": self.secret_access_key,
            "AWS_SESSION_TOKEN": self.session_token,
        }


# (role ARN, session name, duration seconds) -> a new session from the emulator's STS.
AssumeRole = Callable[[str, str, int], RoleSession]


class RoleSessions:
    def __init__(
        self,
        assume: AssumeRole,
        clock: Callable[[], float] = time.time,
        duration_seconds: int = DEFAULT_DURATION_SECONDS,
        refresh_margin_seconds: int = DEFAULT_REFRESH_MARGIN_SECONDS,
    ) -> None:
        self._assume = assume
        self._clock = clock
        self._duration = duration_seconds
        self._margin = refresh_margin_seconds
        self._lock = threading.Lock()
        self._current: dict[tuple[str, str], RoleSession] = {}
        self._by_key: dict[str, RoleSession] = {}
        self._renewing: dict[tuple[str, str], threading.Lock] = {}

    def for_function(self, role_arn: str, function_name: str) -> RoleSession:
        """The current session of this function's role (a new one when none is fresh enough)."""
        key = (role_arn, function_name)
        with self._lock:
            renewing = self._renewing.setdefault(key, threading.Lock())
        # One renewal per (role, function) at a time, so concurrent cold starts share a session
        # (the credentials are part of the workers' pool key). Not under self._lock: the
        # emulator's STS is served by this process, whose enforcer calls session_of meanwhile.
        with renewing:
            with self._lock:
                session = self._current.get(key)
                if session is not None and session.expires_at - self._margin > self._clock():
                    return session
            session = self._assume(role_arn, function_name, self._duration)
            with self._lock:
                self._current[key] = session
                self._by_key[session.access_key_id] = session
                # Sessions long expired are forgotten (a worker's key stays known until then).
                now = self._clock()
                self._by_key = {
                    k: v for k, v in self._by_key.items() if v.expires_at + self._duration > now
                }
                return session

    def session_of(self, access_key_id: str) -> RoleSession | None:
        """The session an access key belongs to, or None (not a function's key)."""
        with self._lock:
            return self._by_key.get(access_key_id)

    def expired(self, session: RoleSession) -> bool:
        return session.expires_at <= self._clock()
