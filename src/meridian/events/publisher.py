"""DynamoDB stream record → ``transaction.created`` event → SNS (one Publish per event).

Which records become events (contract E): INSERTs of ``TXN#`` items written in this region.
The event source mapping's filter criteria already drop everything else before Lambda is
invoked; the same rules are checked here again so a missing or widened filter can never publish
a replicated copy (the other region's write) a second time.

Failure handling is the event source mapping's: a record that fails here raises, Powertools'
batch processor reports it in ``batchItemFailures``, and Lambda retries from it (bisecting,
bounded by retry attempts and record age) until it lands in the on-failure queue. Nothing is
ever dropped silently: an SNS error (throttling, 5xx, KMS) and a malformed image both raise.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError  # type: ignore[import-untyped]

from meridian import ids
from meridian.events.items import MalformedItemError, written_transaction
from meridian.events.model import TransactionCreated

INSERT = "INSERT"


class MalformedRecordError(ValueError):
    """The record can never become an event (bad shape, unreadable transaction item). Retrying
    does not help: the event source mapping's retries end and the on-failure queue keeps it."""


class PublishFailedError(RuntimeError):
    """SNS did not take the event (throttled, unavailable, refused): the record is retried."""


@dataclass(frozen=True, slots=True)
class Published:
    event: TransactionCreated
    # Milliseconds from the transaction's id being minted (its ULID timestamp, just before the
    # write) to SNS accepting the event: the end-to-end publish latency.
    latency_ms: float


class TransactionEventPublisher:
    def __init__(
        self,
        topic_arn: str,
        region: str,
        sns: Any,  # noqa: ANN401 - boto3 clients are dynamically typed
        clock_ms: Callable[[], float] = lambda: time.time() * 1000,
    ) -> None:
        self.topic_arn = topic_arn
        self.region = region
        self._sns = sns
        self._clock_ms = clock_ms

    def event_for(self, record: Mapping[str, Any]) -> TransactionCreated | None:
        """The event a stream record stands for, or None when it stands for none."""
        if record.get("eventName") != INSERT:
            return None
        change = record.get("dynamodb")
        image = change.get("NewImage") if isinstance(change, Mapping) else None
        if not isinstance(image, Mapping):
            raise MalformedRecordError("the INSERT record has no NewImage")
        try:
            written = written_transaction(image)
        except MalformedItemError as error:
            raise MalformedRecordError(str(error)) from error
        if written is None or written.written_region != self.region:
            return None
        return TransactionCreated.from_written(written)

    def publish(self, event: TransactionCreated) -> Published:
        try:
            self._sns.publish(
                TopicArn=self.topic_arn,
                Message=event.to_json(),
                MessageAttributes=event.message_attributes(),
            )
        except (ClientError, BotoCoreError) as error:
            raise PublishFailedError(
                f"SNS did not take the event ({type(error).__name__})"
            ) from error
        minted_ms = ids.ulid_timestamp_ms(event.transaction_id)
        return Published(event=event, latency_ms=max(0.0, self._clock_ms() - minted_ms))

    def handle(self, record: Mapping[str, Any]) -> Published | None:
        """Publish the record's event; None when the record stands for no event."""
        event = self.event_for(record)
        return None if event is None else self.publish(event)
