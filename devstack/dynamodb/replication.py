"""Asynchronous replication between the replicas of a global table (MREC), as DynamoDB does it.

What AWS documents and this module reproduces
(https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/V2globaltables_HowItWorks.html):

* A write is applied to the replica in the Region that took it and acknowledged from there;
  the other replicas receive it asynchronously, "typically within a second". Here every
  successful write is queued per (source, target) link and applied ``delay_seconds`` after its
  commit (default ``DEVSTACK_REPLICATION_DELAY_SECONDS``, 1.0), in commit order, by a background
  thread.
* Conflicts between concurrent writes to the same item in different Regions resolve "last
  writer wins": the write with the latest timestamp survives in every replica. Each replica
  here remembers the commit timestamp of the last write it holds per item; a replicated write
  older than that is dropped (counted as ``superseded``).
* Conditional writes evaluate their condition against the item in the local Region only: the
  replicator never evaluates conditions, it copies the item image the local write produced.
* TransactWriteItems is atomic only in the Region that took it; "transactions are not supported
  across Regions" and the other replicas may observe its items separately
  (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis.html):
  every written item is its own queue entry.
* Isolation (``isolated_regions``) models a Region cut off from replication: writes there are
  still applied locally, but nothing flows to or from it until it is healed; then the queued
  writes catch up in order.

Timestamps are a process-wide strictly increasing clock (wall-clock nanoseconds), so "latest" is
unambiguous within one devstack.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.dynamo_type import DynamoType
from moto.dynamodb.models.table import Table

DELAY_ENV = "DEVSTACK_REPLICATION_DELAY_SECONDS"
DEFAULT_DELAY_SECONDS = 1.0
MAX_DELAY_SECONDS = 3600.0

BackendOf = Callable[[str], DynamoDBBackend]
ReplicaRegions = Callable[[str], list[str]]


def delay_from_env() -> float:
    raw = os.environ.get(DELAY_ENV, "")
    if not raw:
        return DEFAULT_DELAY_SECONDS
    value = float(raw)
    if not 0 <= value <= MAX_DELAY_SECONDS:
        raise ValueError(f"{DELAY_ENV} must be between 0 and {MAX_DELAY_SECONDS:g}, got {raw}")
    return value


@dataclass(frozen=True)
class PendingWrite:
    """One item's state after one committed write, on its way to one other replica."""

    sequence: int
    committed_at: float  # time.monotonic() at commit: the delay counts from here
    stamp: int  # last-writer-wins timestamp
    source: str
    target: str
    table_name: str
    key: dict[str, Any]  # the item's key attributes (DynamoDB JSON)
    image: dict[str, Any] | None  # the item after the write; None = deleted


@dataclass
class ReplicationStats:
    applied: int = 0
    superseded: int = 0  # dropped because the target already held a later write
    by_link: dict[str, int] = field(default_factory=dict)


class Replicator:
    """Queues committed writes and applies them to the other replicas after the delay."""

    def __init__(
        self,
        backend_of: BackendOf,
        replica_regions: ReplicaRegions,
        lock: threading.RLock,
        delay_seconds: float | None = None,
    ) -> None:
        self._backend_of = backend_of
        self._replica_regions = replica_regions
        # The filler's write lock: a local write and the capture of its image are one step, and
        # the applier thread never writes into moto while a request does.
        self._lock = lock
        self._delay = delay_from_env() if delay_seconds is None else delay_seconds
        self._isolated: set[str] = set()
        self._links: dict[tuple[str, str], deque[PendingWrite]] = {}
        # region, table, key -> stamp of the write the replica holds (last writer wins).
        self._stamps: dict[tuple[str, str, str], int] = {}
        self._sequence = 0
        self._last_stamp = 0
        self._stats = ReplicationStats()
        self._wake = threading.Condition(threading.Lock())
        self._stopped = False
        self._thread: threading.Thread | None = None

    # -- lifecycle ------------------------------------------------------------------------------
    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._run, name="devstack-dynamodb-replication", daemon=True
            )
            self._thread.start()

    def stop(self) -> None:
        with self._wake:
            self._stopped = True
            self._wake.notify_all()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None

    # -- the write side (called by the filler under its lock) -----------------------------------
    def next_stamp(self) -> int:
        with self._wake:
            self._last_stamp = max(time.time_ns(), self._last_stamp + 1)
            return self._last_stamp

    def record_local_write(self, region: str, table_name: str, key: dict[str, Any]) -> None:
        """A write to ``key`` committed in ``region``: stamp it and queue it for the others.

        Must be called with the filler's lock held, right after the write succeeded, so the
        image captured is the one this write produced."""
        others = [r for r in self._replica_regions(table_name) if r != region]
        source = self._backend_of(region).tables.get(table_name)
        if source is None:
            return
        stamp = self.next_stamp()
        self._stamps[(region, table_name, _key_id(key))] = stamp
        if not others:
            return
        item = source.get_item(*_key_values(source, key))
        image = item.to_json()["Attributes"] if item is not None else None
        now = time.monotonic()
        with self._wake:
            for target in others:
                self._sequence += 1
                entry = PendingWrite(
                    self._sequence, now, stamp, region, target, table_name, key, image
                )
                self._links.setdefault((region, target), deque()).append(entry)
            self._wake.notify_all()

    def forget_table(self, region: str, table_name: str) -> None:
        """A replica went away: drop what was queued for it and its stamps."""
        with self._wake:
            for (source, target), queue in self._links.items():
                if target == region:
                    kept = [e for e in queue if e.table_name != table_name]
                    self._links[(source, target)] = deque(kept)
        for stamp_key in [k for k in self._stamps if k[0] == region and k[1] == table_name]:
            del self._stamps[stamp_key]

    # -- control ----------------------------------------------------------------------------------
    def configure(
        self, delay_seconds: float | None = None, isolated_regions: Iterable[str] | None = None
    ) -> None:
        with self._wake:
            if delay_seconds is not None:
                if not 0 <= delay_seconds <= MAX_DELAY_SECONDS:
                    raise ValueError(f"delay_seconds must be between 0 and {MAX_DELAY_SECONDS:g}")
                self._delay = float(delay_seconds)
            if isolated_regions is not None:
                self._isolated = set(isolated_regions)
            self._wake.notify_all()

    def status(self) -> dict[str, Any]:
        with self._wake:
            pending_by_link = {
                f"{source}->{target}": len(queue)
                for (source, target), queue in sorted(self._links.items())
                if queue
            }
            return {
                "delay_seconds": self._delay,
                "isolated_regions": sorted(self._isolated),
                "pending": sum(pending_by_link.values()),
                "pending_flowing": self._pending_flowing(),
                "pending_by_link": pending_by_link,
                "applied": self._stats.applied,
                "superseded": self._stats.superseded,
            }

    def drain(self, timeout_seconds: float) -> bool:
        """Wait until nothing is pending between non-isolated regions; False on timeout."""
        deadline = time.monotonic() + timeout_seconds
        with self._wake:
            while self._pending_flowing():
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._wake.wait(timeout=min(remaining, 0.05))
            return True

    def apply_due(self, now: float | None = None) -> int:
        """Apply every queued write whose delay has passed (the thread's work; tests may call)."""
        moment = time.monotonic() if now is None else now
        applied = 0
        while True:
            entry = self._pop_due(moment)
            if entry is None:
                break
            with self._lock:
                self._apply(entry)
            applied += 1
        if applied:
            with self._wake:
                self._wake.notify_all()
        return applied

    # -- internals ------------------------------------------------------------------------------
    def _pending_flowing(self) -> int:
        return sum(
            len(queue)
            for (source, target), queue in self._links.items()
            if source not in self._isolated and target not in self._isolated
        )

    def _pop_due(self, now: float) -> PendingWrite | None:
        """The oldest due entry over all flowing links (commit order), removed from its queue."""
        with self._wake:
            best: tuple[str, str] | None = None
            for link, queue in self._links.items():
                if not queue or link[0] in self._isolated or link[1] in self._isolated:
                    continue
                head = queue[0]
                if head.committed_at + self._delay > now:
                    continue
                if best is None or head.sequence < self._links[best][0].sequence:
                    best = link
            return self._links[best].popleft() if best is not None else None

    def _apply(self, entry: PendingWrite) -> None:
        table = self._backend_of(entry.target).tables.get(entry.table_name)
        if table is None:
            return
        stamp_key = (entry.target, entry.table_name, _key_id(entry.key))
        link = f"{entry.source}->{entry.target}"
        if self._stamps.get(stamp_key, -1) > entry.stamp:
            self._stats.superseded += 1
            return
        self._stamps[stamp_key] = entry.stamp
        hash_key, range_key = _key_values(table, entry.key)
        if entry.image is None:
            if table.get_item(hash_key, range_key) is not None:
                table.delete_item(hash_key, range_key)
        else:
            table.put_item(json.loads(json.dumps(entry.image)))
        self._stats.applied += 1
        self._stats.by_link[link] = self._stats.by_link.get(link, 0) + 1

    def _next_wait(self) -> float:
        """Seconds until the next queued entry is due (a poll interval when none is)."""
        now = time.monotonic()
        waits = [
            queue[0].committed_at + self._delay - now
            for (source, target), queue in self._links.items()
            if queue and source not in self._isolated and target not in self._isolated
        ]
        return max(0.0, min(waits)) if waits else 1.0

    def _run(self) -> None:
        while True:
            with self._wake:
                if self._stopped:
                    return
                wait = self._next_wait()
                if wait > 0:
                    self._wake.wait(timeout=wait)
                if self._stopped:
                    return
            self.apply_due()


def _key_id(key: dict[str, Any]) -> str:
    return json.dumps(key, sort_keys=True)


def _key_values(table: Table, key: dict[str, Any]) -> tuple[DynamoType, DynamoType | None]:
    hash_key = DynamoType(key[table.hash_key_attr])
    range_key = DynamoType(key[table.range_key_attr]) if table.range_key_attr else None
    return hash_key, range_key


def written_keys(
    operation: str, document: dict[str, Any], backend: DynamoDBBackend
) -> list[tuple[str, dict[str, Any]]]:
    """(table name, key attributes) for every item a write request touched."""

    def key_of(table_name: str, item: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
        table = backend.tables.get(table_name)
        if table is None or table.hash_key_attr not in item:
            return None
        names = [table.hash_key_attr] + ([table.range_key_attr] if table.range_key_attr else [])
        return table_name, {name: item[name] for name in names if name in item}

    found: list[tuple[str, dict[str, Any]] | None] = []
    if operation == "PutItem":
        found.append(key_of(document.get("TableName", ""), document.get("Item", {})))
    elif operation in ("UpdateItem", "DeleteItem"):
        found.append(key_of(document.get("TableName", ""), document.get("Key", {})))
    elif operation == "BatchWriteItem":
        for table_name, requests in (document.get("RequestItems") or {}).items():
            for entry in requests:
                if "PutRequest" in entry:
                    found.append(key_of(table_name, entry["PutRequest"].get("Item", {})))
                elif "DeleteRequest" in entry:
                    found.append(key_of(table_name, entry["DeleteRequest"].get("Key", {})))
    elif operation == "TransactWriteItems":
        for entry in document.get("TransactItems") or []:
            if "Put" in entry:
                found.append(key_of(entry["Put"]["TableName"], entry["Put"].get("Item", {})))
            for kind in ("Update", "Delete"):
                if kind in entry:
                    found.append(key_of(entry[kind]["TableName"], entry[kind].get("Key", {})))
    return [entry for entry in found if entry is not None]
