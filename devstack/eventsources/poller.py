"""One event source mapping reading one DynamoDB stream shard: Lambda's stream poller.

The poller is independent of moto: it reads records through a ``ShardReader``, invokes through an
``Invoke`` callable and hands discarded batches to a ``FailureSink``; ``runner`` wires those to
moto and the Lambda runtime. ``step()`` does one unit of work (read a batch, or invoke the batch
at the head of the queue) and says whether there was anything to do.

Semantics (sources in ``devstack.eventsources``):

* Records are read in shard order from the checkpoint; records matching no filter are dropped
  (the checkpoint moves past them); up to ``BatchSize`` matching records form a batch. With a
  batching window, a batch smaller than ``BatchSize`` waits until its oldest record is
  ``MaximumBatchingWindowInSeconds`` old.
* One batch in flight per shard; the checkpoint only moves when the batch at the head of the
  queue has succeeded or been discarded, so records are delivered in order.
* Success: no function error and, with ``ReportBatchItemFailures``, an empty or null
  ``batchItemFailures``. A partial response moves the checkpoint to the lowest reported
  sequence number and retries from there; an item without a valid ``itemIdentifier`` (empty,
  null, wrong key, not in the batch) makes it a complete failure.
* A function error with ``BisectBatchOnFunctionError`` splits the batch in two (first half
  first); splitting does not count as a retry. Otherwise each failure counts against
  ``MaximumRetryAttempts``; past it the batch is discarded: its invocation record goes to the
  on-failure destination and the shard moves on. Records older than
  ``MaximumRecordAgeInSeconds`` are discarded the same way before any invocation.
* Retries back off (AWS does not document the interval for stream retries; the devstack waits
  ``RETRY_BASE_SECONDS`` doubling up to ``RETRY_MAX_SECONDS``), so a short dependency outage
  does not exhaust a small ``MaximumRetryAttempts`` at once.
"""

from __future__ import annotations

import json
import logging
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from devstack.eventsources.filters import RecordFilter
from devstack.eventsources.records import StreamRecord, failure_record
from devstack.runtime.contracts import InvokeResult

LOGGER = logging.getLogger("devstack.eventsources")

RETRY_BASE_SECONDS = 0.25
RETRY_MAX_SECONDS = 2.0
CONDITION_RETRIES = "RetryAttemptsExhausted"
CONDITION_AGE = "MaximumRecordAgeExceeded"


@dataclass(frozen=True)
class MappingSettings:
    """A snapshot of one mapping's configuration (re-read before every step)."""

    uuid: str
    function_arn: str
    stream_arn: str
    enabled: bool = True
    batch_size: int = 100
    batching_window_seconds: float = 0.0
    starting_position: str = "TRIM_HORIZON"
    bisect_on_error: bool = False
    maximum_retry_attempts: int = -1
    maximum_record_age_seconds: int = -1
    report_batch_item_failures: bool = False
    on_failure_destination: str | None = None
    record_filter: RecordFilter = field(default_factory=lambda: RecordFilter(None))


class ShardReader(Protocol):
    shard_id: str

    def length(self) -> int: ...

    def read(self, start: int, limit: int) -> list[StreamRecord]: ...


Invoke = Callable[[str, bytes], InvokeResult]
FailureSink = Callable[[str, dict[str, Any]], None]  # (destination ARN, invocation record)


@dataclass
class _Batch:
    records: list[StreamRecord]
    failures: int = 0  # failed invocations counted against MaximumRetryAttempts
    invocations: int = 0
    last_error: str | None = None
    not_before: float = 0.0  # monotonic-ish clock: when the next retry may run


class ShardPoller:
    def __init__(
        self,
        settings: Callable[[], MappingSettings | None],
        shard: ShardReader,
        invoke: Invoke,
        on_failure: FailureSink,
        clock: Callable[[], float],
    ) -> None:
        self._settings = settings
        self._shard = shard
        self._invoke = invoke
        self._on_failure = on_failure
        self._clock = clock
        self.position: int | None = None  # next shard index to read (the checkpoint)
        self._pending: deque[_Batch] = deque()
        self._fetch_end = 0
        self.invocations = 0
        self.discarded_batches = 0

    # -- state --------------------------------------------------------------------------------
    def idle(self) -> bool:
        """Nothing in flight and nothing left to read (a disabled mapping is idle)."""
        settings = self._settings()
        if settings is None or not settings.enabled:
            return True
        return (
            not self._pending
            and self.position is not None
            and (self.position >= self._shard.length())
        )

    # -- one unit of work -----------------------------------------------------------------------
    def step(self) -> bool:
        settings = self._settings()
        if settings is None or not settings.enabled:
            return False
        if self.position is None:
            # LATEST: only records written after the mapping was created (AWS: "the most
            # recent record"); TRIM_HORIZON: from the oldest record the shard holds.
            self.position = self._shard.length() if settings.starting_position == "LATEST" else 0
        if not self._pending:
            return self._fetch(settings)
        return self._process_head(settings)

    def _fetch(self, settings: MappingSettings) -> bool:
        if self.position is None:
            return False
        available = self._shard.read(self.position, limit=max(settings.batch_size, 1) * 10)
        if not available:
            return False
        matched: list[StreamRecord] = []
        end = self.position
        for record in available:
            end = record.index + 1
            if settings.record_filter.matches(record.event):
                matched.append(record)
                if len(matched) >= settings.batch_size:
                    break
        if not matched:
            self.position = end  # only filtered-out records: dropped, never delivered
            return True
        now = self._clock()
        if (
            len(matched) < settings.batch_size
            and settings.batching_window_seconds > 0
            and now - matched[0].arrival < settings.batching_window_seconds
        ):
            return False  # the window is still gathering records
        self._pending.append(_Batch(matched))
        self._fetch_end = end
        return True

    def _process_head(self, settings: MappingSettings) -> bool:  # noqa: PLR0911 - one per outcome
        batch = self._pending[0]
        now = self._clock()
        if batch.not_before > now:
            return False
        if settings.maximum_record_age_seconds >= 0:
            expired = [
                r for r in batch.records if now - r.arrival > settings.maximum_record_age_seconds
            ]
            if expired:
                self._discard(settings, expired, CONDITION_AGE, batch)
                batch.records = [r for r in batch.records if r not in expired]
                if not batch.records:
                    self._complete()
                return True
        payload = json.dumps({"Records": [r.event for r in batch.records]}).encode()
        try:
            result = self._invoke(settings.function_arn, payload)
        except Exception:
            # Lambda could not invoke the function (not found, runtime gone): not a function
            # error, so no retry is counted; the records wait until they expire.
            LOGGER.exception("mapping %s could not invoke %s", settings.uuid, settings.function_arn)
            batch.not_before = now + RETRY_MAX_SECONDS
            return False
        self.invocations += 1
        batch.invocations += 1
        failed_from = self._failed_from(settings, batch, result)
        if failed_from is None:
            self._complete()
            return True
        batch.last_error = result.function_error or "Unhandled"
        if failed_from >= 0:
            # A partial batch response: the records before the lowest failed one are done; the
            # rest is retried (with bisection on, the batch is split at that record), which
            # counts as a retry.
            if failed_from > 0:
                self.position = batch.records[failed_from - 1].index + 1
                batch.records = batch.records[failed_from:]
            self._count_failure(settings, batch, now)
            return True
        if settings.bisect_on_error and len(batch.records) > 1:
            half = len(batch.records) // 2
            self._pending.popleft()
            for part in (batch.records[half:], batch.records[:half]):
                self._pending.appendleft(
                    _Batch(part, failures=batch.failures, last_error=batch.last_error)
                )
            return True
        self._count_failure(settings, batch, now)
        return True

    def _failed_from(  # noqa: PLR0911 - one return per documented condition
        self, settings: MappingSettings, batch: _Batch, result: InvokeResult
    ) -> int | None:
        """None = success; -1 = the whole invocation failed; else the index in the batch of the
        lowest failed record of a partial batch response."""
        if result.function_error:
            return -1
        if not settings.report_batch_item_failures:
            return None
        try:
            answer = json.loads(result.payload or b"null")
        except ValueError:
            return None  # not JSON: no partial batch response, an ordinary success
        if not isinstance(answer, dict) or not answer.get("batchItemFailures"):
            return None  # null/empty response or list: complete success
        failures = answer["batchItemFailures"]
        if not isinstance(failures, list):
            return -1
        positions = {record.sequence_number: i for i, record in enumerate(batch.records)}
        lowest: int | None = None
        for failure in failures:
            identifier = failure.get("itemIdentifier") if isinstance(failure, dict) else None
            if not isinstance(identifier, str) or identifier not in positions:
                return -1  # empty, null, wrong key or unknown identifier: complete failure
            index = positions[identifier]
            lowest = index if lowest is None else min(lowest, index)
        return lowest

    def _count_failure(self, settings: MappingSettings, batch: _Batch, now: float) -> None:
        batch.failures += 1
        retries = settings.maximum_retry_attempts
        if 0 <= retries < batch.failures:
            self._discard(settings, batch.records, CONDITION_RETRIES, batch)
            self._complete()
            return
        backoff = min(RETRY_BASE_SECONDS * 2 ** (batch.failures - 1), RETRY_MAX_SECONDS)
        batch.not_before = now + backoff

    def _discard(
        self,
        settings: MappingSettings,
        records: list[StreamRecord],
        condition: str,
        batch: _Batch,
    ) -> None:
        self.discarded_batches += 1
        LOGGER.warning(
            "mapping %s discards %d record(s) (%s..%s): %s",
            settings.uuid,
            len(records),
            records[0].sequence_number,
            records[-1].sequence_number,
            condition,
        )
        if settings.on_failure_destination:
            self._on_failure(
                settings.on_failure_destination,
                failure_record(
                    function_arn=settings.function_arn,
                    condition=condition,
                    invoke_count=batch.invocations,
                    function_error=batch.last_error,
                    shard_id=self._shard.shard_id,
                    stream_arn=settings.stream_arn,
                    records=records,
                    now=self._clock(),
                ),
            )

    def _complete(self) -> None:
        batch = self._pending.popleft()
        if batch.records:
            self.position = max(self.position or 0, batch.records[-1].index + 1)
        if not self._pending:
            self.position = max(self.position or 0, self._fetch_end)
