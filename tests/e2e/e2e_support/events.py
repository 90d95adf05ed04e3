"""Transaction events (issue 14): the reference subscriber queue and the failure queue, read as a
downstream consumer would, with the event schema next to the API contract.

The queues come from the root output ``transaction_events`` = {region: {topic_arn,
subscriber_queue_url, subscriber_dlq_url, failure_queue_url, publisher_function_name}} (in
``.devstack/stack.json`` on the devstack, ``terraform output -json`` on AWS).

``EventCollector`` receives (long polling), records when each message arrived, deletes it, and
keeps every event it has seen, so tests ask "have these transaction ids arrived, how often, how
late" without racing each other for messages.
"""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .aws import client
from .target import REPO_ROOT, Target

SCHEMA_PATH = REPO_ROOT / "infra" / "api" / "events" / "transaction.created.v1.json"


def events_outputs(target: Target) -> dict[str, dict[str, str]]:
    """{region: {topic_arn, subscriber_queue_url, ...}} from the ``transaction_events`` output."""
    value = target.outputs.get("transaction_events")
    if not isinstance(value, dict) or not value:
        raise LookupError(
            "the stack has no transaction_events output (issue 14's Terraform is not applied)"
        )
    return {str(region): dict(item) for region, item in value.items()}


def load_schema(path: Path = SCHEMA_PATH) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return document


@dataclass(frozen=True)
class Received:
    event: dict[str, Any]
    received_at: float  # time.time() when the receive call returned it
    message_id: str
    attributes: dict[str, str]  # SNS message attributes carried to SQS (raw delivery)


class EventCollector:
    """Reads one SQS queue to exhaustion on demand; remembers every message body it saw."""

    def __init__(self, target: Target, region: str, queue_url: str) -> None:
        self.sqs = client(target, "sqs", region)
        self.queue_url = queue_url
        self.received: list[Received] = []

    def poll_once(self, wait_seconds: int = 1) -> int:
        """One ReceiveMessage (long polling); returns how many messages arrived."""
        answer = self.sqs.receive_message(
            QueueUrl=self.queue_url,
            MaxNumberOfMessages=10,
            WaitTimeSeconds=wait_seconds,
            MessageAttributeNames=["All"],
        )
        messages = answer.get("Messages", [])
        now = time.time()
        for message in messages:
            try:
                body = json.loads(message["Body"])
            except ValueError:
                body = {"unparseable": message["Body"]}
            attributes = {
                name: str(value.get("StringValue", ""))
                for name, value in message.get("MessageAttributes", {}).items()
            }
            self.received.append(Received(body, now, message["MessageId"], attributes))
            self.sqs.delete_message(QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"])
        return len(messages)

    def drain(self) -> None:
        """Consume whatever is queued now (events of earlier runs)."""
        while self.poll_once(wait_seconds=0):
            pass

    def by_transaction(self, transaction_id: str) -> list[Received]:
        return [
            r
            for r in self.received
            if isinstance(r.event.get("data"), dict)
            and r.event["data"].get("transaction_id") == transaction_id
        ]

    def wait_for_transactions(
        self, transaction_ids: set[str], within_seconds: float
    ) -> dict[str, list[Received]]:
        """Poll until every id has at least one event or the bound passes; returns what arrived
        (the caller asserts completeness, so a missing event fails with the list of ids)."""
        deadline = time.monotonic() + within_seconds
        while True:
            found = {tid: self.by_transaction(tid) for tid in transaction_ids}
            if all(found.values()) or time.monotonic() > deadline:
                return found
            self.poll_once(wait_seconds=1)

    def wait_for(self, predicate: Any, within_seconds: float) -> list[Received]:
        """Poll until some received message satisfies ``predicate(body)``; returns those."""
        deadline = time.monotonic() + within_seconds
        while True:
            matching = [r for r in self.received if predicate(r.event)]
            if matching or time.monotonic() > deadline:
                return matching
            self.poll_once(wait_seconds=1)


_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_ulid() -> str:
    """A ULID (48-bit millisecond time + 80 random bits, Crockford base32), as the API mints
    transaction ids (https://github.com/ulid/spec), for items the suite writes itself."""
    value = (int(time.time() * 1000) << 80) | secrets.randbits(80)
    return "".join(_CROCKFORD[(value >> (5 * i)) & 31] for i in reversed(range(26)))


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile (p99 = fraction 0.99) of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), int(-(-fraction * len(ordered) // 1))))
    return ordered[rank - 1]
