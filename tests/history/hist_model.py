"""The history of a run: every operation with its timestamps, the write-region timeline, and the
final (converged) state read from both regions. Plain data, JSON-serialisable."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# Operation kinds
TXN = "txn"  # POST /transactions with an Idempotency-Key (reused across clients and regions)
TXN_READ = "txn_read"  # GET /transactions/{id} of an acknowledged transaction
PROFILE_READ = "profile_read"  # GET /profiles/me
PROFILE_UPDATE = "profile_update"  # PUT /profiles/me from a version read earlier (shared)
TRANSITION = "?"  # write-region timeline: functions are being reconfigured, region unknown


@dataclass
class Op:
    """One request and its answer. ``start``/``end`` are time.monotonic() of the client."""

    op_id: int
    client: int
    kind: str
    region: str
    user: str
    start: float
    end: float = 0.0
    status: int | None = None  # None: no HTTP answer (timeout, connection error)
    error_code: str | None = None
    key: str | None = None  # TXN: the Idempotency-Key (also the transaction's reference)
    transaction_id: str | None = None
    base_version: int | None = None  # PROFILE_UPDATE: the version sent
    version: int | None = None  # the version answered (read or update)
    display_name: str | None = None  # sent (update) or answered (read)


@dataclass
class RegionState:
    """What one region answers after convergence, per user."""

    transactions: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # user -> items
    profiles: dict[str, dict[str, Any] | None] = field(default_factory=dict)  # user -> profile


@dataclass
class History:
    ops: list[Op] = field(default_factory=list)
    # (monotonic time, write region or None while writes are paused), in time order. The model:
    # the write region accepts writes and its reads reflect every write acknowledged before them.
    write_regions: list[tuple[float, str | None]] = field(default_factory=list)
    events: list[tuple[float, str]] = field(default_factory=list)  # nemesis actions
    final: dict[str, RegionState] = field(default_factory=dict)  # region -> state
    initial_profiles: dict[str, dict[str, Any]] = field(default_factory=dict)  # user -> profile

    def write_region_during(self, start: float, end: float) -> str | bool | None:
        """The write region throughout [start, end]; False if it changed in between or was
        being changed (``TRANSITION``): such a request is not judged."""
        current: str | None = None
        for moment, region in self.write_regions:
            if moment <= start:
                current = region
            elif moment <= end:
                return False
        return False if current == TRANSITION else current

    def dump(self, path: Path) -> None:
        document = {
            "ops": [dataclasses.asdict(op) for op in self.ops],
            "write_regions": self.write_regions,
            "events": self.events,
            "final": {region: dataclasses.asdict(state) for region, state in self.final.items()},
            "initial_profiles": self.initial_profiles,
        }
        path.write_text(json.dumps(document, indent=1))
