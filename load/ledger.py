"""What the load run's clients were told: every acknowledged write, and every outcome by status.

The ledger is the client-side truth the reconciliation (load/reconcile.py) checks the stored
state against after the run. One Locust process keeps one ledger in memory; a distributed run's
workers each dump theirs (``dump``/``load``) and the reconciliation merges them.

Owners are namespaced like the repository keys (contract 2): ``user:<sub>``, ``partner:<name>``.
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

# An acknowledged create: 201 (first write) or a replay of the same key (the API answers 201 with
# the first result; 200 is accepted too in case a later version answers replays with 200).
ACKNOWLEDGED_CREATE = frozenset({200, 201})


def transaction_reference(run_id: str, key: str) -> str:
    """The free-text ``reference`` a load transaction carries: it ties a stored transaction to
    its Idempotency-Key, so "no key maps to two transactions" is checkable from a plain list."""
    return f"load-{run_id}-{key}"


@dataclass
class TransactionAttempts:
    """Every request made with one (owner, Idempotency-Key): its body and what came back."""

    owner: str
    key: str
    body: dict[str, Any]
    statuses: list[int] = field(default_factory=list)
    acknowledged_ids: list[str] = field(default_factory=list)

    @property
    def acknowledged(self) -> bool:
        return bool(self.acknowledged_ids)


@dataclass
class ProfileState:
    """A profile as the client last saw it acknowledged (``version`` and the fields it wrote)."""

    owner: str
    version: int
    fields: dict[str, Any]


@dataclass
class Ledger:
    run_id: str
    transactions: dict[str, TransactionAttempts] = field(default_factory=dict)
    profiles: dict[str, ProfileState] = field(default_factory=dict)
    # Profile writes whose outcome is unknown (timeout, 502/504): the stored profile may be one
    # of these instead of the last acknowledged one, without anything being lost.
    indeterminate_profiles: dict[str, list[ProfileState]] = field(default_factory=dict)
    # (route, status) -> count; route is the Locust name, e.g. "POST /transactions".
    outcomes: Counter[tuple[str, int]] = field(default_factory=Counter)
    # (route, status, "error code request id") of answers that fail the run: 5xx other than
    # 429/503 with Retry-After, any 503 REGION_NOT_WRITABLE, no answer, an unexpected 4xx.
    violations: list[tuple[str, int, str]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    @staticmethod
    def _txn_id(owner: str, key: str) -> str:
        return f"{owner}|{key}"

    def begin_transaction(self, owner: str, key: str, body: dict[str, Any]) -> None:
        """Before the request is sent: a request cut off mid-flight (a Locust user stopped, a
        crash) may still be stored, and must not then look like a transaction nobody asked for."""
        with self._lock:
            self.transactions.setdefault(
                self._txn_id(owner, key), TransactionAttempts(owner, key, dict(body))
            )

    def record_transaction(
        self, owner: str, key: str, body: dict[str, Any], status: int, transaction_id: str | None
    ) -> None:
        self.begin_transaction(owner, key, body)
        with self._lock:
            entry = self.transactions[self._txn_id(owner, key)]
            entry.statuses.append(status)
            if status in ACKNOWLEDGED_CREATE and transaction_id:
                entry.acknowledged_ids.append(transaction_id)

    def record_profile(self, owner: str, version: int, fields: dict[str, Any]) -> None:
        """An acknowledged create or update: the newest version wins (one writer per user)."""
        with self._lock:
            current = self.profiles.get(owner)
            if current is None or version >= current.version:
                self.profiles[owner] = ProfileState(owner, version, dict(fields))

    def record_indeterminate_profile(
        self, owner: str, version: int, fields: dict[str, Any]
    ) -> None:
        with self._lock:
            self.indeterminate_profiles.setdefault(owner, []).append(
                ProfileState(owner, version, dict(fields))
            )

    def record_outcome(self, route: str, status: int) -> None:
        with self._lock:
            self.outcomes[(route, status)] += 1

    def record_violation(self, route: str, status: int, code: str) -> None:
        with self._lock:
            self.violations.append((route, status, code))

    def owners(self) -> set[str]:
        return {entry.owner for entry in self.transactions.values()} | set(self.profiles)

    # -- serialisation (a distributed run's workers dump, the reconciliation merges) --

    def to_json(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "transactions": [asdict(entry) for entry in self.transactions.values()],
            "profiles": [asdict(state) for state in self.profiles.values()],
            "indeterminate_profiles": [
                asdict(state) for states in self.indeterminate_profiles.values() for state in states
            ],
            "outcomes": [[route, status, n] for (route, status), n in self.outcomes.items()],
            "violations": [list(item) for item in self.violations],
        }

    @classmethod
    def from_json(cls, document: dict[str, Any]) -> Ledger:
        ledger = cls(run_id=str(document["run_id"]))
        ledger.merge_json(document)
        return ledger

    def merge_json(self, document: dict[str, Any]) -> None:
        for raw in document.get("transactions", []):
            entry = TransactionAttempts(**raw)
            existing = self.transactions.get(self._txn_id(entry.owner, entry.key))
            if existing is None:
                self.transactions[self._txn_id(entry.owner, entry.key)] = entry
            else:
                existing.statuses.extend(entry.statuses)
                existing.acknowledged_ids.extend(entry.acknowledged_ids)
        for raw in document.get("profiles", []):
            self.record_profile(raw["owner"], int(raw["version"]), raw["fields"])
        for raw in document.get("indeterminate_profiles", []):
            self.record_indeterminate_profile(raw["owner"], int(raw["version"]), raw["fields"])
        for route, status, n in document.get("outcomes", []):
            self.outcomes[(str(route), int(status))] += int(n)
        self.violations.extend(
            (str(route), int(status), str(code))
            for route, status, code in document.get("violations", [])
        )

    def dump(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.to_json(), indent=1), encoding="utf-8")

    @classmethod
    def load_all(cls, paths: list[Path]) -> Ledger:
        documents = [json.loads(path.read_text(encoding="utf-8")) for path in paths]
        if not documents:
            raise ValueError("no ledger files")
        ledger = cls(run_id=str(documents[0]["run_id"]))
        for document in documents:
            ledger.merge_json(document)
        return ledger
