"""DynamoDB Time to Live, lazily: expired items stay readable until a periodic sweep deletes them.

AWS deletes expired items in the background, "typically within a few days of expiration", and
"items that have expired and not been deleted will still show up in reads, queries, and scans"
(https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UpdateTimeToLive.html,
https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ttl-expired-items.html). On a
global table (2019.11.21) the TTL delete is replicated to the other replicas like any write
(https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/V2globaltables_HowItWorks.html).

The sweeper runs every ``DEVSTACK_TTL_SWEEP_SECONDS`` (default 60): in every region, for every
table whose TTL is ENABLED, it deletes the items whose TTL attribute is a number of epoch seconds
at or before now, and hands each delete to the replicator. Items without the attribute, or with a
non-number there, never expire (as on AWS).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.dynamo_type import Item
from moto.dynamodb.models.table import Table

from devstack.dynamodb.replication import Replicator

SWEEP_ENV = "DEVSTACK_TTL_SWEEP_SECONDS"
DEFAULT_SWEEP_SECONDS = 60.0


def sweep_interval_from_env() -> float:
    raw = os.environ.get(SWEEP_ENV, "")
    value = float(raw) if raw else DEFAULT_SWEEP_SECONDS
    if value <= 0:
        raise ValueError(f"{SWEEP_ENV} must be a positive number of seconds, got {raw}")
    return value


class TtlSweeper:
    def __init__(
        self,
        backend_of: Callable[[str], DynamoDBBackend],
        regions: Callable[[], Iterable[str]],
        replicator: Replicator,
        lock: threading.RLock,
        *,
        interval_seconds: float | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._backend_of = backend_of
        self._regions = regions
        self._replicator = replicator
        self._lock = lock
        self.interval_seconds = (
            sweep_interval_from_env() if interval_seconds is None else interval_seconds
        )
        self._clock = clock
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.deleted = 0

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._run, name="devstack-dynamodb-ttl", daemon=True
            )
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None

    def sweep(self) -> int:
        """Delete every expired item now; returns how many."""
        now = Decimal(str(self._clock()))
        deleted = 0
        for region in list(self._regions()):
            backend = self._backend_of(region)
            for table_name, table in list(backend.tables.items()):
                ttl = table.ttl or {}
                attribute = ttl.get("AttributeName")
                if ttl.get("TimeToLiveStatus") != "ENABLED" or not attribute:
                    continue
                with self._lock:
                    # Only the TTL attribute of each item is read (moto's all_items() sorts the
                    # whole table and to_json() renders every attribute: seconds on a big table,
                    # with every DynamoDB request waiting for the lock).
                    for item in _items(table):
                        value = item.attrs.get(attribute)
                        if value is None or not _expired(value.to_json(), now):
                            continue
                        names = [table.hash_key_attr] + (
                            [table.range_key_attr] if table.range_key_attr else []
                        )
                        key = {name: item.attrs[name].to_json() for name in names}
                        table.delete_item(item.hash_key, item.range_key)
                        self._replicator.record_local_write(region, table_name, key)
                        deleted += 1
        self.deleted += deleted
        return deleted

    def _run(self) -> None:
        while not self._stop.wait(self.interval_seconds):
            self.sweep()


def _items(table: Table) -> list[Item]:
    """Every item of the table, in no particular order."""
    partitions: dict[Any, Any] = table.items
    if table.range_key_attr:
        return [item for partition in partitions.values() for item in partition.values()]
    return list(partitions.values())


def _expired(value: object, now: Decimal) -> bool:
    if not isinstance(value, dict) or "N" not in value:
        return False
    try:
        return Decimal(str(value["N"])) <= now
    except InvalidOperation:
        return False
