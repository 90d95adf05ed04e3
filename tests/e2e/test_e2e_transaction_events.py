"""Issue 14: every committed transaction is published exactly once as ``transaction.created``.

What this proves, end to end (the stack's DynamoDB stream -> publisher Lambda -> SNS topic ->
reference subscriber queue, read as a downstream consumer reads it):

(a) N transactions created through the edge and directly at the write region's API give exactly N
    events on the write region's subscriber queue, each valid against
    ``infra/api/events/transaction.created.v1.json``, naming the transaction, its namespaced owner
    and the write region, without the free-text reference. The replicated copies in the other
    region produce NO event there: a marker transaction written in the other region afterwards
    gets its event there, and since a stream is delivered in order, every replicated copy before
    it was seen and dropped by then. The per-event latency (API acknowledgement -> message
    received) is measured and printed (p50/p99), not asserted (no timed assertions).
(b) SNS unavailable in the write region for ~5 s while transactions are created: after it
    recovers every event arrives, still exactly one per transaction (no duplicate event_id).
    Devstack only (fault injection).
(c) A poison record (a malformed ``TXN#`` item written straight into the table in the write
    region) ends as an invocation record on the failure queue, and a transaction created after it
    still gets its event: the stream keeps moving.

Waits are bounded polls with generous limits (E2E_EVENTS_SECONDS, default 120 s); the limits are
give-up bounds, not assertions about speed.
"""

from __future__ import annotations

import json
import os
import time
import uuid
from typing import Any

import jsonschema
import pytest
from e2e_support import aws
from e2e_support.api import Api, expect_status, new_idempotency_key, poll
from e2e_support.events import (
    EventCollector,
    Received,
    events_outputs,
    load_schema,
    new_ulid,
    percentile,
)
from e2e_support.faults import service_down
from e2e_support.target import Target
from e2e_support.users import User, jwt_claims

WITHIN_SECONDS = float(os.environ.get("E2E_EVENTS_SECONDS", "120"))
PAYMENT = {"amount": "10.05", "currency": "EUR", "type": "debit", "reference": "event e2e"}


@pytest.fixture(scope="module")
def write_region(target: Target) -> str:
    region = target.outputs.get("write_region") or target.active_region
    if region == "none":
        pytest.skip("writes are paused on this stack (writes_paused = true)")
    return str(region)


@pytest.fixture(scope="module")
def other_region(target: Target, write_region: str) -> str:
    others = [r for r in target.api_urls if r != write_region]
    if not others:
        pytest.skip("the stack has one region")
    return others[0]


@pytest.fixture(scope="module")
def outputs(target: Target) -> dict[str, dict[str, str]]:
    try:
        return events_outputs(target)
    except LookupError as error:
        pytest.fail(str(error))


@pytest.fixture(scope="module")
def subscriber(
    target: Target, outputs: dict[str, dict[str, str]], write_region: str
) -> EventCollector:
    collector = EventCollector(target, write_region, outputs[write_region]["subscriber_queue_url"])
    collector.drain()
    return collector


@pytest.fixture(scope="module")
def other_subscriber(
    target: Target, outputs: dict[str, dict[str, str]], other_region: str
) -> EventCollector:
    collector = EventCollector(target, other_region, outputs[other_region]["subscriber_queue_url"])
    collector.drain()
    return collector


@pytest.fixture(scope="module")
def validator() -> jsonschema.protocols.Validator:
    schema = load_schema()
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def create(api: Api, user: User, count: int, spacing: float = 0.0) -> dict[str, float]:
    """``count`` transactions; {transaction_id: time the API acknowledged it}."""
    acknowledged: dict[str, float] = {}
    for _ in range(count):
        response = api.post_transaction(user.id_token, PAYMENT, new_idempotency_key())
        expect_status(response, 201)
        acknowledged[response.json()["transaction_id"]] = time.time()
        if spacing:
            time.sleep(spacing)
    return acknowledged


def missing(found: dict[str, list[Received]]) -> list[str]:
    return sorted(tid for tid, events in found.items() if not events)


def check_event(
    received: Received,
    validator: jsonschema.protocols.Validator,
    transaction_id: str,
    owner: str,
    region: str,
) -> None:
    event = received.event
    errors = sorted(validator.iter_errors(event), key=str)
    assert not errors, f"event {event} does not match the schema: {[e.message for e in errors]}"
    assert event["event_type"] == "transaction.created"
    assert event["data"]["transaction_id"] == transaction_id
    assert event["data"]["owner"] == owner
    assert event["region"] == region
    assert "reference" not in json.dumps(event), "the free-text reference must not be published"
    assert received.attributes.get("event_type") == "transaction.created"


def table_client(target: Target, region: str) -> Any:
    if not target.table_name:
        pytest.fail("the target has no table_name output")
    return aws.client(target, "dynamodb", region)


def txn_item(target: Target, region: str, owner_sub: str, transaction_id: str) -> dict[str, Any]:
    """A transaction's item as the repository wrote it (to copy its exact shape)."""
    answer = table_client(target, region).get_item(
        TableName=target.table_name,
        Key={"pk": {"S": f"USER#{owner_sub}"}, "sk": {"S": f"TXN#{transaction_id}"}},
        ConsistentRead=True,
    )
    item: dict[str, Any] = answer["Item"]
    return item


def test_each_transaction_gives_exactly_one_event_and_replicas_none(
    target: Target,
    api: Api,
    api_active: Api,
    user: User,
    subscriber: EventCollector,
    other_subscriber: EventCollector,
    validator: jsonschema.protocols.Validator,
    write_region: str,
    other_region: str,
) -> None:
    acknowledged = create(api, user, 5)  # through the edge (CloudFront -> the active region)
    acknowledged |= create(api_active, user, 5)  # straight at the write region's API
    found = subscriber.wait_for_transactions(set(acknowledged), WITHIN_SECONDS)
    assert not missing(found), f"no event within {WITHIN_SECONDS:g}s for {missing(found)}"

    owner_sub = jwt_claims(user.id_token)["sub"]
    # The replicated copies reach the other region's table (and so its stream) ...
    other_api = Api(
        target.api_urls[other_region], other_region, default_headers=target.origin_verify_headers
    )
    for transaction_id in acknowledged:
        expect_status(
            poll(
                lambda tid=transaction_id: other_api.get(
                    f"/transactions/{tid}", token=user.id_token
                ),
                lambda r: r.status_code == 200,
                within_seconds=WITHIN_SECONDS,
            ),
            200,
        )
    # ... then a marker written in the other region (as if it had taken a write) gets its event
    # there: the stream is delivered in order, so every replicated copy before it has been seen.
    marker_id = new_ulid()
    marker_sub = str(uuid.uuid4())  # a user that does not exist: nothing else reads it
    item = txn_item(target, write_region, owner_sub, next(iter(acknowledged)))
    item.update(
        {
            "pk": {"S": f"USER#{marker_sub}"},
            "sk": {"S": f"TXN#{marker_id}"},
            "transaction_id": {"S": marker_id},
            "written_region": {"S": other_region},
        }
    )
    ddb_other = table_client(target, other_region)
    ddb_other.put_item(TableName=target.table_name, Item=item)
    try:
        marker = other_subscriber.wait_for_transactions({marker_id}, WITHIN_SECONDS)
        assert marker[marker_id], f"the marker's event did not arrive in {other_region}"
        check_event(marker[marker_id][0], validator, marker_id, f"user:{marker_sub}", other_region)
        leaked = [tid for tid in acknowledged if other_subscriber.by_transaction(tid)]
        assert not leaked, f"replicated copies published in {other_region}: {leaked}"
    finally:
        ddb_other.delete_item(TableName=target.table_name, Key={"pk": item["pk"], "sk": item["sk"]})

    subscriber.drain()
    latencies = []
    for transaction_id, acked_at in acknowledged.items():
        events = subscriber.by_transaction(transaction_id)
        assert len(events) == 1, f"{transaction_id}: {len(events)} events"
        check_event(events[0], validator, transaction_id, f"user:{owner_sub}", write_region)
        latencies.append(events[0].received_at - acked_at)
    ids = [subscriber.by_transaction(tid)[0].event["event_id"] for tid in acknowledged]
    assert len(set(ids)) == len(ids)
    print(
        f"\ntransaction events: {len(latencies)} events, latency ack->received "
        f"p50 {percentile(latencies, 0.5) * 1000:.0f} ms, "
        f"p99 {percentile(latencies, 0.99) * 1000:.0f} ms, max {max(latencies) * 1000:.0f} ms"
    )


@pytest.mark.devstack_only
def test_events_arrive_after_sns_recovers_exactly_once(
    target: Target,
    api_active: Api,
    user: User,
    subscriber: EventCollector,
    write_region: str,
) -> None:
    if not target.is_devstack:
        pytest.skip("fault injection needs the devstack")
    with service_down(target, "sns", write_region):
        acknowledged = create(api_active, user, 5, spacing=1.0)  # ~5 s of SNS outage
    found = subscriber.wait_for_transactions(set(acknowledged), WITHIN_SECONDS)
    assert not missing(found), f"no event after recovery for {missing(found)}"
    subscriber.drain()
    event_ids = [
        r.event["event_id"] for tid in acknowledged for r in subscriber.by_transaction(tid)
    ]
    assert len(event_ids) == len(acknowledged), f"duplicates: {sorted(event_ids)}"
    assert len(set(event_ids)) == len(event_ids)


def test_a_poison_record_goes_to_the_failure_queue_and_the_stream_moves_on(
    target: Target,
    api_active: Api,
    user: User,
    outputs: dict[str, dict[str, str]],
    subscriber: EventCollector,
    write_region: str,
) -> None:
    failures = EventCollector(target, write_region, outputs[write_region]["failure_queue_url"])
    failures.drain()
    ddb = table_client(target, write_region)
    poison_key = {
        "pk": {"S": f"USER#e2e-poison-{uuid.uuid4().hex[:8]}"},
        "sk": {"S": f"TXN#poison-{uuid.uuid4().hex}"},
    }
    # Malformed: a TXN# item of the write region without amount, currency, type or created_at.
    ddb.put_item(
        TableName=target.table_name,
        Item={**poison_key, "written_region": {"S": write_region}, "transaction_id": {"S": "x"}},
    )
    try:
        after = create(api_active, user, 1)
        records = failures.wait_for(lambda body: "DDBStreamBatchInfo" in body, WITHIN_SECONDS)
        assert records, f"no invocation record on the failure queue within {WITHIN_SECONDS:g}s"
        info = records[0].event["DDBStreamBatchInfo"]
        assert info["batchSize"] >= 1
        assert info["streamArn"].split(":")[3] == write_region
        found = subscriber.wait_for_transactions(set(after), WITHIN_SECONDS)
        assert not missing(found), "the transaction after the poison record got no event"
    finally:
        ddb.delete_item(TableName=target.table_name, Key=poison_key)
