"""Runs every DynamoDB-stream event source mapping moto holds: discovery, one thread per poller.

Mappings are read through moto's public Lambda backend API (``list_event_source_mappings``) in
every Region moto has created; the stream behind a mapping is the table in the mapping's Region
whose ``LatestStreamArn`` it names (moto has one shard per stream). A mapping whose stream or
function is gone simply waits. Deleting a mapping stops its poller.

The function runs through ``invoke`` (``MotoBackend.invoke_function``: the devstack's Lambda
runtime, in the function's Region, with its execution role), so its own AWS calls go over HTTP
through the emulator and meet the same fault injection (``/_devstack/faults``) and IAM checks as
any other caller.

One poller per mapping per process: moto's backends are process-wide, so every ``DevstackApp``
of a process (the test suites start several) sees every mapping, and Lambda runs a mapping once
("Lambda polls shards in your DynamoDB stream", one batch in flight per shard:
https://docs.aws.amazon.com/lambda/latest/dg/with-ddb.html). The runners therefore claim each
mapping by UUID in the module-level ``CLAIMS`` registry: the runner of the app through which the
mapping was created claims it while that request is answered (``EventSourceRunner.exclusive``),
so its Lambda runtime, faults and clock are the ones that apply; a mapping no runner holds (its
runner stopped) is claimed by the next runner that looks, and resumes from the checkpoint the
stopped one left, as Lambda's service keeps a mapping's checkpoint whichever host polls.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from moto.awslambda.models import lambda_backends
from moto.dynamodb.models import dynamodb_backends
from moto.dynamodb.models.table import Table
from moto.sns.models import sns_backends
from moto.sqs.models import sqs_backends

from devstack.eventsources.filters import RecordFilter
from devstack.eventsources.poller import Invoke, MappingSettings, ShardPoller
from devstack.eventsources.records import StreamRecord, lambda_record

LOGGER = logging.getLogger("devstack.eventsources")

# "Lambda polls shards in your DynamoDB stream for records at a base rate of 4 times per second"
# (https://docs.aws.amazon.com/lambda/latest/dg/with-ddb.html).
POLL_INTERVAL_SECONDS = 0.25


class _NoMotoInvocation(dict[str, Any]):
    """Stands in for a table's ``lambda_event_source_mappings``: moto's ``StreamShard.add``
    invokes (through Docker) every mapping registered there and then empties the shard; nothing
    registered = moto never does either."""

    def __setitem__(self, key: str, value: Any) -> None:  # noqa: ANN401 - moto's mapping object
        return None


def detach_moto_invocations(table: Table) -> None:
    if not isinstance(table.lambda_event_source_mappings, _NoMotoInvocation):
        table.lambda_event_source_mappings = _NoMotoInvocation()


class MotoShard:
    """The single shard of one table's current stream, read from moto's table."""

    def __init__(self, account_id: str, region: str, stream_arn: str) -> None:
        self.account_id = account_id
        self.region = region
        self.stream_arn = stream_arn
        self.shard_id = ""

    def _table(self) -> Table | None:
        backend = dynamodb_backends[self.account_id][self.region]
        for table in list(backend.tables.values()):
            label = table.latest_stream_label
            if label and f"{table.table_arn}/stream/{label}" == self.stream_arn:
                return table
        return None

    def _records(self) -> list[Any]:
        """moto's own list of the shard's records (moto keeps every record it ever wrote), to be
        measured or sliced, never copied whole: a poll runs 4 times a second per mapping, idle
        or not, and a copy made each poll cost O(records written since the emulator started)."""
        table = self._table()
        if table is None or table.stream_shard is None:
            return []
        self.shard_id = str(table.stream_shard.id)
        records: list[Any] = table.stream_shard.items
        return records

    def length(self) -> int:
        return len(self._records())

    def read(self, start: int, limit: int) -> list[StreamRecord]:
        # A slice is taken at once (moto appends, a rolled-back transaction truncates, both
        # under the GIL): the batch is a consistent prefix of what follows the checkpoint.
        items = self._records()[start : start + limit]
        return [
            lambda_record(item.to_json(), start + offset, self.region, self.stream_arn)
            for offset, item in enumerate(items)
        ]


class MappingClaims:
    """Which runner of this process polls each mapping, and where a released mapping stopped.

    Keys are (account, mapping UUID). ``lock`` is re-entrant: a runner holds it across creating
    a mapping and claiming it (``EventSourceRunner.exclusive``)."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self._owners: dict[tuple[str, str], EventSourceRunner] = {}
        self._checkpoints: dict[tuple[str, str], int] = {}

    def claim(
        self, account_id: str, uuid: str, runner: EventSourceRunner
    ) -> tuple[bool, int | None]:
        """(claimed, checkpoint): False when another runner holds the mapping; the checkpoint
        a previous owner left (None: the mapping starts at its StartingPosition)."""
        with self.lock:
            owner = self._owners.setdefault((account_id, uuid), runner)
            if owner is not runner:
                return False, None
            return True, self._checkpoints.pop((account_id, uuid), None)

    def release(
        self, account_id: str, uuid: str, runner: EventSourceRunner, checkpoint: int | None
    ) -> None:
        """Give the mapping up; ``checkpoint`` None = it was deleted (nothing to resume)."""
        with self.lock:
            if self._owners.get((account_id, uuid)) is not runner:
                return
            del self._owners[(account_id, uuid)]
            if checkpoint is None:
                self._checkpoints.pop((account_id, uuid), None)
            else:
                self._checkpoints[(account_id, uuid)] = checkpoint


CLAIMS = MappingClaims()


class EventSourceRunner:
    def __init__(self, account_id: str, invoke: Invoke) -> None:
        self.account_id = account_id
        self._invoke = invoke
        # Tests age records without waiting: the pollers' clock is wall time plus this offset.
        self.clock_offset_seconds = 0.0
        self._pollers: dict[str, ShardPoller] = {}
        self._threads: dict[str, threading.Thread] = {}
        self._lock = threading.RLock()
        self._stop = threading.Event()
        self._discovery: threading.Thread | None = None

    # -- lifecycle ----------------------------------------------------------------------------
    def start(self) -> None:
        self._discovery = threading.Thread(
            target=self._discover_forever, name="eventsources-discovery", daemon=True
        )
        self._discovery.start()

    def stop(self) -> None:
        self._stop.set()
        threads = [self._discovery, *self._threads.values()]
        for thread in threads:
            if thread is not None:
                thread.join(timeout=5)
        # After the joins: the checkpoints handed on are the pollers' last ones.
        with CLAIMS.lock, self._lock:
            for uuid, poller in self._pollers.items():
                CLAIMS.release(self.account_id, uuid, self, poller.position)

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        """No other runner of the process claims a mapping inside the block: the filler creates
        a mapping and claims it (``sync``) in one."""
        with CLAIMS.lock:
            yield

    def clock(self) -> float:
        return time.time() + self.clock_offset_seconds

    # -- discovery ------------------------------------------------------------------------------
    def _discover_forever(self) -> None:
        while not self._stop.wait(POLL_INTERVAL_SECONDS):
            try:
                self.sync()
            except Exception:
                LOGGER.exception("event source discovery failed")

    def detach_region(self, region: str) -> None:
        """Keep moto from invoking mappings itself on this Region's tables."""
        for table in list(dynamodb_backends[self.account_id][region].tables.values()):
            detach_moto_invocations(table)

    def sync(self) -> None:
        """Start a poller for every new DynamoDB-stream mapping this runner can claim, stop
        those of deleted ones. Lock order: ``CLAIMS.lock`` before ``self._lock``."""
        if self._stop.is_set():
            return
        seen: set[str] = set()
        for region in list(dynamodb_backends[self.account_id].keys()):
            self.detach_region(region)
        with CLAIMS.lock, self._lock:
            for region in list(lambda_backends[self.account_id].keys()):
                backend = lambda_backends[self.account_id][region]
                for esm in list(backend.list_event_source_mappings("", "")):
                    arn = str(esm.event_source_arn)
                    if arn.split(":")[2] != "dynamodb" or "/stream/" not in arn:
                        continue
                    seen.add(esm.uuid)
                    if esm.uuid in self._pollers:
                        continue
                    claimed, checkpoint = CLAIMS.claim(self.account_id, esm.uuid, self)
                    if claimed:
                        self._start_poller(region, esm.uuid, arn, checkpoint)
            for uuid in [u for u in self._pollers if u not in seen]:
                self._pollers.pop(uuid)  # its thread ends when settings() answers None
                CLAIMS.release(self.account_id, uuid, self, checkpoint=None)

    def _settings_of(self, region: str, uuid: str) -> Callable[[], MappingSettings | None]:
        cache: dict[str, Any] = {}

        def settings() -> MappingSettings | None:
            if self._stop.is_set() or uuid not in self._pollers:
                return None
            esm = lambda_backends[self.account_id][region].get_event_source_mapping(uuid)
            if esm is None:
                return None
            criteria = esm.filter_criteria
            key = json.dumps(criteria, sort_keys=True, default=str)
            if cache.get("key") != key:
                cache["key"], cache["filter"] = key, RecordFilter(criteria)
            destination = (esm.destination_config or {}).get("OnFailure", {}).get("Destination")
            return MappingSettings(
                uuid=uuid,
                function_arn=str(esm.function_arn),
                stream_arn=str(esm.event_source_arn),
                enabled=bool(esm.enabled),
                batch_size=int(esm.batch_size or 100),
                batching_window_seconds=float(esm.max_batch_window or 0),
                starting_position=str(esm.starting_position or "TRIM_HORIZON"),
                bisect_on_error=bool(esm.bisect_on_error),
                maximum_retry_attempts=_int(esm.max_retry_attempts, -1),
                maximum_record_age_seconds=_int(esm.max_record_age, -1),
                report_batch_item_failures="ReportBatchItemFailures"
                in (esm.function_response_types or []),
                on_failure_destination=str(destination) if destination else None,
                record_filter=cache["filter"],
            )

        return settings

    def _start_poller(
        self, region: str, uuid: str, stream_arn: str, checkpoint: int | None
    ) -> None:
        poller = ShardPoller(
            self._settings_of(region, uuid),
            MotoShard(self.account_id, region, stream_arn),
            self._invoke,
            self._send_failure_record,
            self.clock,
        )
        poller.position = checkpoint  # taken over from a stopped runner: resume there
        self._pollers[uuid] = poller
        # The starting position is fixed now, when the mapping is created (LATEST = from here).
        poller.step()
        thread = threading.Thread(
            target=self._poll_forever, args=(uuid, poller), name=f"esm-{uuid[:8]}", daemon=True
        )
        self._threads[uuid] = thread
        thread.start()

    def _poll_forever(self, uuid: str, poller: ShardPoller) -> None:
        while not self._stop.is_set() and self._pollers.get(uuid) is poller:
            try:
                busy = poller.step()
            except Exception:
                LOGGER.exception("event source mapping %s failed a step", uuid)
                busy = False
            if not busy:
                self._stop.wait(POLL_INTERVAL_SECONDS)

    # -- on-failure destinations ----------------------------------------------------------------
    def _send_failure_record(self, destination: str, record: dict[str, Any]) -> None:
        """Deliver an invocation record to an SQS queue or SNS topic (in-process: the
        destination is written by Lambda's service, not by the function's code)."""
        parts = destination.split(":")
        body = json.dumps(record)
        try:
            if parts[2] == "sqs":
                sqs_backends[parts[4]][parts[3]].send_message(parts[5], body)
            elif parts[2] == "sns":
                sns_backends[parts[4]][parts[3]].publish(body, arn=destination)
            else:
                LOGGER.warning("unsupported on-failure destination %s", destination)
        except Exception:
            LOGGER.exception("could not deliver the invocation record to %s", destination)

    # -- observation ------------------------------------------------------------------------------
    def wait_idle(self, timeout_seconds: float) -> bool:
        """Wait until every enabled mapping this runner polls has delivered or discarded all it
        can read."""
        deadline = time.monotonic() + timeout_seconds
        while time.monotonic() < deadline:
            with self._lock:
                pollers = list(self._pollers.values())
            if all(poller.idle() for poller in pollers):
                return True
            time.sleep(0.05)
        return False


def _int(value: Any, default: int) -> int:  # noqa: ANN401 - moto stores the raw request value
    return default if value is None else int(value)
