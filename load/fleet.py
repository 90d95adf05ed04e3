"""The load run's shared state in one Locust process: the target, its test users and partners,
and the ledger every simulated client writes to.

The orchestrator (load/run.py) builds it before Locust starts (:func:`configure`); a bare
``locust -f load/locustfile.py`` (a distributed worker, docs/load.md) builds it from the
environment on first use (:func:`current`). Identities are created up front and lent to Locust
users one at a time, so one app user never has two concurrent writers (a 409 on its profile then
means a real conflict, not our own race), and a user stopped by a smaller sweep step keeps its
data for the reconciliation.
"""

from __future__ import annotations

import itertools
import os
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from e2e_support.partner import Partner
from e2e_support.source_address import SourceAddressAdapter
from e2e_support.target import Target, load_target

from load.ledger import Ledger

# A partner token is re-signed after this many seconds (tokens live 600 s by default).
PARTNER_TOKEN_REFRESH_SECONDS = 300.0


@dataclass
class Identity:
    """One simulated app user: a confirmed Cognito user with a profile."""

    owner: str  # "user:<sub>"
    username: str
    id_token: str
    profile_version: int = 0
    profile_fields: dict[str, Any] = field(default_factory=dict)
    transaction_ids: list[str] = field(default_factory=list)


@dataclass
class PartnerClient:
    partner: Partner
    token: str = ""
    signed_at: float = 0.0

    @property
    def owner(self) -> str:
        return f"partner:{self.partner.name}"

    def current_token(self) -> str:
        now = time.monotonic()
        if not self.token or now - self.signed_at > PARTNER_TOKEN_REFRESH_SECONDS:
            self.token = self.partner.token()
            self.signed_at = now
        return self.token


@dataclass
class Fleet:
    target: Target
    run_id: str
    ledger: Ledger
    base_url: str  # where the simulated clients send requests (the edge by default)
    per_user_rate: float = 2.0  # tasks per second each Locust user aims at
    partners: list[Partner] = field(default_factory=list)
    identities: list[Identity] = field(default_factory=list)
    _free: list[Identity] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _partner_cycle: Any = None
    standalone: bool = False  # built by a bare `locust -f` process (a distributed worker)
    tasks: int = 0  # Locust tasks run so far (offered rate = users x tasks/s x requests/task)
    # On the devstack, each Locust user connects from a loopback address of its own (see
    # loopback_source_addresses); None: the machine's own address, as on AWS.
    source_addresses: Iterator[str] | None = None

    def count_task(self) -> None:
        self.tasks += 1  # gevent: one OS thread, no lock needed

    def add_identity(self, identity: Identity) -> None:
        with self._lock:
            self.identities.append(identity)
            self._free.append(identity)

    def acquire(self) -> Identity:
        with self._lock:
            if not self._free:
                raise RuntimeError(
                    "no free app user: prepare more identities (load/run.py --users sizes them)"
                )
            return self._free.pop(0)

    def release(self, identity: Identity) -> None:
        with self._lock:
            self._free.append(identity)

    def next_partner(self) -> PartnerClient | None:
        with self._lock:
            if not self.partners:
                return None
            if self._partner_cycle is None:
                self._partner_cycle = itertools.cycle(self.partners)
            return PartnerClient(next(self._partner_cycle))

    def next_source_adapter(self) -> SourceAddressAdapter | None:
        """Connections from the next local address for a new Locust user (None: the default)."""
        if self.source_addresses is None:
            return None
        with self._lock:
            return SourceAddressAdapter(next(self.source_addresses))

    def token_for(self, owner: str) -> str:
        """A bearer token acting as ``owner`` (for the reconciliation's reads)."""
        for identity in self.identities:
            if identity.owner == owner:
                return identity.id_token
        for partner in self.partners:
            if f"partner:{partner.name}" == owner:
                return partner.token()
        raise KeyError(owner)


def loopback_source_addresses(base_url: str) -> Iterator[str] | None:
    """One loopback address per simulated client when the target listens on loopback.

    The WAF's rate-based rule counts requests per client IP (10,000 per 5 minutes on AWS; the
    devstack's local.tfvars: 2,000 per 60 s, and its edge takes the TCP peer as the client IP).
    A million users come from many addresses; a load generator on one address would measure its
    own IP being blocked (403) after ~33 requests/s. Linux routes all of 127.0.0.0/8 to the
    loopback interface, so each user binds an address of its own in 127.77.0.0/16 (away from
    the 127.0.0.x addresses the e2e WAF test picks). None where the target is not on loopback
    (AWS: there the machines' own addresses count; docs/load.md) or binding fails (not Linux).
    AWS rule: docs/aws-rules.md, the rate-based rule rows (per source IP over its window).
    """
    host = urlsplit(base_url).hostname or ""
    if host not in ("127.0.0.1", "localhost"):
        return None
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.bind(("127.77.0.1", 0))
    except OSError:
        return None
    return (f"127.77.{n // 250}.{n % 250 + 1}" for n in itertools.cycle(range(250 * 250)))


_FLEET: Fleet | None = None


def configure(fleet: Fleet) -> None:
    global _FLEET  # noqa: PLW0603 - one fleet per Locust process, set before Locust starts
    _FLEET = fleet


def current() -> Fleet:
    """The configured fleet, or one built from the environment (a distributed worker)."""
    if _FLEET is None:
        from load import setup  # noqa: PLC0415 - boto3/Cognito only when a worker starts alone

        target = load_target()
        users = int(os.environ.get("LOAD_WORKER_IDENTITIES", "50"))
        built = setup.build_fleet(
            target,
            run_id=os.environ.get("LOAD_RUN_ID") or uuid.uuid4().hex[:8],
            per_user_rate=float(os.environ.get("LOAD_RATE", "2")),
            with_partners=os.environ.get("LOAD_PARTNERS", "1") != "0",
        )
        built.standalone = True
        configure(built)
        setup.prepare_identities(current(), users)
    if _FLEET is None:  # pragma: no cover - configure() just set it
        raise RuntimeError("the load fleet is not configured")
    return _FLEET
