"""The transaction events publisher (issue 14): stream batch → one SNS message per new transaction
written in this region, partial batch failures for what could not be published."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from boto3.dynamodb.types import TypeSerializer
from botocore.exceptions import ClientError, EndpointConnectionError
from unit_support import REGION, FakeLambdaContext

from meridian import aws, ids
from meridian.errors import ConfigError
from meridian.events.model import event_id_for
from meridian.events.publisher import MalformedRecordError, TransactionEventPublisher
from meridian.handlers import transaction_events
from meridian.identity import Caller
from meridian.repository import Repository
from meridian.transactions.model import Transaction

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "infra/api/events/transaction.created.v1.json").read_text())
TOPIC_ARN = f"arn:aws:sns:{REGION}:123456789012:meridian-test-transaction-events"
OTHER_REGION = "us-west-2"
_SERIALIZER = TypeSerializer()


def new_image(
    transaction_id: str,
    /,
    *,
    pk: str = "USER#sub-1",
    region: str = REGION,
    amount: Decimal = Decimal("12.3"),
    currency: str = "EUR",
    **extra: Any,
) -> dict[str, Any]:
    """A transaction item as the repository writes it (docs/interfaces.md), in DynamoDB JSON."""
    item = {
        "pk": pk,
        "sk": f"TXN#{transaction_id}",
        "key_digest": "d" * 64,
        "written_region": region,
        "transaction_id": transaction_id,
        "amount": amount,
        "currency": currency,
        "type": "debit",
        "status": "committed",
        "created_at": "2026-12-02T03:00:00Z",
        "reference": "rent for Jane Doe, flat 3",
        **extra,
    }
    return {name: _SERIALIZER.serialize(value) for name, value in item.items() if value is not None}


_SEQUENCE = iter(range(100_000_000_000, 200_000_000_000))


def stream_record(image: dict[str, Any] | None, event_name: str = "INSERT") -> dict[str, Any]:
    sequence_number = str(next(_SEQUENCE))
    change: dict[str, Any] = {
        "ApproximateCreationDateTime": 1796180400,
        "Keys": {"pk": {"S": "USER#sub-1"}, "sk": {"S": "TXN#x"}},
        "SequenceNumber": sequence_number,
        "SizeBytes": 300,
        "StreamViewType": "NEW_AND_OLD_IMAGES",
    }
    if image is not None:
        change["NewImage"] = image
    return {
        "eventID": f"e-{sequence_number}",
        "eventName": event_name,
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": REGION,
        "dynamodb": change,
        "eventSourceARN": (
            f"arn:aws:dynamodb:{REGION}:123456789012:table/meridian-test/stream/2026-12-02T00:00:00.000"
        ),
    }


def sequence(record: dict[str, Any]) -> str:
    return str(record["dynamodb"]["SequenceNumber"])


class RecordingSns:
    """An SNS client that records every Publish; ``fail_for`` transaction ids get ``error``."""

    def __init__(self, error: Exception | None = None, fail_for: frozenset[str] = frozenset()):
        self.published: list[dict[str, Any]] = []
        self.error = error
        self.fail_for = fail_for

    def publish(self, **request: Any) -> dict[str, str]:
        transaction_id = json.loads(request["Message"])["data"]["transaction_id"]
        if self.error is not None and (not self.fail_for or transaction_id in self.fail_for):
            raise self.error
        self.published.append(request)
        return {"MessageId": f"m-{len(self.published)}"}


@pytest.fixture
def sns(monkeypatch: pytest.MonkeyPatch) -> RecordingSns:
    fake = RecordingSns()
    monkeypatch.setattr(
        transaction_events,
        "publisher",
        TransactionEventPublisher(TOPIC_ARN, REGION, fake, clock_ms=lambda: 10**13),
    )
    return fake


def invoke(records: list[dict[str, Any]]) -> dict[str, Any]:
    return transaction_events.handler({"Records": records}, FakeLambdaContext())


def failures(response: dict[str, Any]) -> list[str]:
    return [failure["itemIdentifier"] for failure in response["batchItemFailures"]]


THROTTLED = ClientError(
    {
        "Error": {"Code": "Throttled", "Message": "Rate exceeded"},
        "ResponseMetadata": {"HTTPStatusCode": 400},
    },
    "Publish",
)


# --- which records become events ------------------------------------------------------------
def test_a_batch_of_inserts_gives_one_publish_each(sns: RecordingSns) -> None:
    transaction_ids = [ids.new_ulid() for _ in range(5)]
    response = invoke([stream_record(new_image(t)) for t in transaction_ids])
    assert failures(response) == []
    assert [json.loads(p["Message"])["data"]["transaction_id"] for p in sns.published] == (
        transaction_ids
    )
    assert {p["TopicArn"] for p in sns.published} == {TOPIC_ARN}


def test_replicated_copies_updates_removals_and_other_items_give_no_event(
    sns: RecordingSns,
) -> None:
    ours = ids.new_ulid()
    profile = {
        "pk": {"S": "USER#sub-1"},
        "sk": {"S": "PROFILE"},
        "display_name": {"S": "Jane"},
    }
    guard = {"pk": {"S": "USER#sub-1"}, "sk": {"S": "IDEMKEY#abc"}, "transaction_id": {"S": ours}}
    records = [
        stream_record(new_image(ids.new_ulid(), region=OTHER_REGION)),  # replicated copy
        stream_record(new_image(ids.new_ulid()), event_name="MODIFY"),  # erasure's scrub
        stream_record(new_image(ids.new_ulid()), event_name="REMOVE"),
        stream_record(profile),
        stream_record(guard),
        stream_record(new_image(ours)),
    ]
    response = invoke(records)
    assert failures(response) == []
    assert [json.loads(p["Message"])["data"]["transaction_id"] for p in sns.published] == [ours]


# --- failures are reported, never dropped ---------------------------------------------------
def test_an_sns_failure_on_one_record_reports_only_that_record(sns: RecordingSns) -> None:
    transaction_ids = [ids.new_ulid() for _ in range(3)]
    sns.error, sns.fail_for = THROTTLED, frozenset({transaction_ids[1]})
    records = [stream_record(new_image(t)) for t in transaction_ids]
    response = invoke(records)
    assert failures(response) == [sequence(records[1])]
    published = [json.loads(p["Message"])["data"]["transaction_id"] for p in sns.published]
    assert published == [transaction_ids[0], transaction_ids[2]]


def test_a_failed_record_without_sequence_number_fails_the_invocation(sns: RecordingSns) -> None:
    """Lambda cannot retry from an item identifier it does not know: the whole batch fails."""
    good = stream_record(new_image(ids.new_ulid()))
    broken = stream_record(None)
    del broken["dynamodb"]["SequenceNumber"]
    with pytest.raises(transaction_events.BatchFailedError, match="no SequenceNumber"):
        invoke([good, broken])


def test_an_empty_batch_reports_no_failure(sns: RecordingSns) -> None:
    assert invoke([]) == {"batchItemFailures": []}
    assert sns.published == []


@pytest.mark.parametrize(
    "error",
    [THROTTLED, EndpointConnectionError(endpoint_url="https://sns.us-east-1.amazonaws.com")],
    ids=["throttled", "unreachable"],
)
def test_sns_unavailable_for_the_whole_batch_fails_the_invocation(
    sns: RecordingSns, error: Exception
) -> None:
    """Every record failed: Powertools raises, so the event source mapping bisects and retries."""
    sns.error = error
    with pytest.raises(Exception, match="All records failed"):
        invoke([stream_record(new_image(ids.new_ulid())) for _ in range(2)])
    assert sns.published == []


@pytest.mark.parametrize(
    "image",
    [
        None,  # an INSERT without its image
        {"pk": {"S": "USER#sub-1"}, "sk": {"S": "TXN#01JDZZZZZZZZZZZZZZZZZZZZZZ"}},  # no attributes
        new_image("01JDZZZZZZZZZZZZZZZZZZZZZZ", region=None),  # written before contract E
        new_image("01JDZZZZZZZZZZZZZZZZZZZZZZ", pk="ACCOUNT#x"),  # owner in no namespace
        new_image("01JDZZZZZZZZZZZZZZZZZZZZZZ", transaction_id="01JDAAAAAAAAAAAAAAAAAAAAAA"),
        {"pk": {"S": "USER#sub-1"}, "sk": {"BOGUS": "TXN#1"}},  # not DynamoDB JSON
    ],
    ids=["no-image", "no-attributes", "no-region", "no-namespace", "id-mismatch", "bad-json"],
)
def test_a_malformed_record_is_a_failure(sns: RecordingSns, image: dict | None) -> None:
    good = stream_record(new_image(ids.new_ulid()))
    bad = stream_record(image)
    response = invoke([good, bad])
    assert failures(response) == [sequence(bad)]
    assert len(sns.published) == 1


def test_the_publisher_raises_on_a_malformed_record() -> None:
    publisher = TransactionEventPublisher(TOPIC_ARN, REGION, RecordingSns())
    with pytest.raises(MalformedRecordError):
        publisher.handle(stream_record(None))


def test_failures_log_no_item_content(sns: RecordingSns, log_output: Any) -> None:
    failing = ids.new_ulid()
    sns.error, sns.fail_for = THROTTLED, frozenset({failing})
    bad = stream_record(new_image(failing))
    invoke([bad, stream_record(new_image(ids.new_ulid()))])
    logged = log_output.getvalue()
    assert "stream record not published" in logged
    assert sequence(bad) in logged
    for personal in ("sub-1", "Jane Doe", "12.3"):
        assert personal not in logged


# --- the event ------------------------------------------------------------------------------
def test_the_event_matches_the_schema_and_carries_no_reference(sns: RecordingSns) -> None:
    transaction_id = ids.new_ulid()
    invoke([stream_record(new_image(transaction_id, pk="PARTNER#acme", amount=Decimal("12.3")))])
    (request,) = sns.published
    event = json.loads(request["Message"])
    jsonschema.Draft202012Validator(
        SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    ).validate(event)
    assert event == {
        "event_type": "transaction.created",
        "event_version": 1,
        "event_id": event_id_for(transaction_id),
        "occurred_at": "2026-12-02T03:00:00Z",
        "region": REGION,
        "data": {
            "transaction_id": transaction_id,
            "owner": "partner:acme",
            "amount": "12.30",
            "currency": "EUR",
            "type": "debit",
            "created_at": "2026-12-02T03:00:00Z",
        },
    }
    assert "Jane Doe" not in request["Message"]
    assert request["MessageAttributes"] == {
        "event_type": {"DataType": "String", "StringValue": "transaction.created"},
        "currency": {"DataType": "String", "StringValue": "EUR"},
        "type": {"DataType": "String", "StringValue": "debit"},
    }


def test_minor_units_follow_the_currency(sns: RecordingSns) -> None:
    invoke([
        stream_record(new_image(ids.new_ulid(), amount=Decimal("1500"), currency="JPY")),
        stream_record(new_image(ids.new_ulid(), amount=Decimal("1.5"), currency="KWD")),
    ])  # fmt: skip
    assert [json.loads(p["Message"])["data"]["amount"] for p in sns.published] == ["1500", "1.500"]


def test_the_event_id_is_deterministic_per_transaction() -> None:
    first, second = ids.new_ulid(), ids.new_ulid()
    assert event_id_for(first) == event_id_for(first)
    assert event_id_for(first) != event_id_for(second)
    # Pinned: changing the derivation would break every subscriber's deduplication.
    assert event_id_for("01JDZZZZZZZZZZZZZZZZZZZZZZ") == event_id_for("01JDZZZZZZZZZZZZZZZZZZZZZZ")
    assert len({event_id_for(ids.new_ulid()) for _ in range(100)}) == 100


def test_a_retried_record_publishes_the_same_bytes(sns: RecordingSns) -> None:
    record = stream_record(new_image(ids.new_ulid()))
    invoke([record])
    invoke([record])
    assert sns.published[0]["Message"] == sns.published[1]["Message"]


def test_publish_latency_is_measured_from_the_transaction_id() -> None:
    minted = 1_796_180_400_000
    crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
    time_part = "".join(crockford[(minted >> (5 * shift)) & 31] for shift in range(9, -1, -1))
    transaction_id = time_part + "0" * 16
    assert ids.ulid_timestamp_ms(transaction_id) == minted
    publisher = TransactionEventPublisher(
        TOPIC_ARN, REGION, RecordingSns(), clock_ms=lambda: minted + 250.0
    )
    published = publisher.handle(stream_record(new_image(transaction_id)))
    assert published is not None
    assert published.latency_ms == 250.0


def test_published_events_and_latency_are_metrics(sns: RecordingSns, capsys: Any) -> None:
    invoke([stream_record(new_image(ids.new_ulid())) for _ in range(2)])
    metrics = [json.loads(line) for line in capsys.readouterr().out.splitlines() if "_aws" in line]
    emitted = {
        m["Name"] for doc in metrics for d in doc["_aws"]["CloudWatchMetrics"] for m in d["Metrics"]
    }
    assert {"EventsPublished", "EventPublishLatency"} <= emitted
    flushed = next(doc for doc in metrics if "EventsPublished" in doc)
    assert flushed["EventsPublished"] == [1.0, 1.0]
    assert flushed["service"] == "unit-tests"


# --- end to end on moto: the repository's own write, SNS → SQS with raw delivery -------------
def test_a_transaction_written_by_the_repository_arrives_raw_at_a_subscriber(
    aws_backend: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    sns, sqs = aws.client("sns"), aws.client("sqs")
    topic_arn = sns.create_topic(Name="meridian-test-transaction-events")["TopicArn"]
    queue_url = sqs.create_queue(QueueName="meridian-test-transaction-events-subscriber")[
        "QueueUrl"
    ]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])[
        "Attributes"
    ]["QueueArn"]
    sns.subscribe(
        TopicArn=topic_arn,
        Protocol="sqs",
        Endpoint=queue_arn,
        Attributes={
            "RawMessageDelivery": "true",
            "FilterPolicy": json.dumps({"event_type": ["transaction.created"]}),
        },
    )
    monkeypatch.setattr(
        transaction_events, "publisher", TransactionEventPublisher(topic_arn, REGION, sns)
    )
    dynamodb = aws.client("dynamodb")
    transaction = Transaction(
        transaction_id=ids.new_ulid(),
        amount=Decimal("99.5"),
        currency="USD",
        type="credit",
        status="committed",
        created_at="2026-12-02T03:00:00Z",
        reference="private note",
    )
    Repository("meridian-test", dynamodb, region=REGION).create_transaction(
        Caller.user("sub-9"), transaction, "k" * 64, "h" * 64
    )
    stored = dynamodb.get_item(
        TableName="meridian-test",
        Key={"pk": {"S": "USER#sub-9"}, "sk": {"S": f"TXN#{transaction.transaction_id}"}},
    )["Item"]
    assert stored["written_region"] == {"S": REGION}
    assert failures(invoke([stream_record(stored)])) == []
    messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10)["Messages"]
    assert len(messages) == 1
    event = json.loads(messages[0]["Body"])  # raw: the event itself, no SNS envelope
    jsonschema.validate(event, SCHEMA)
    assert event["data"]["owner"] == "user:sub-9"
    assert event["data"]["amount"] == "99.50"
    assert event["event_id"] == event_id_for(transaction.transaction_id)


def test_a_repository_without_its_region_writes_no_transaction(aws_backend: None) -> None:
    """Contract E: a transaction item without written_region would never be published."""
    transaction = Transaction(
        transaction_id=ids.new_ulid(),
        amount=Decimal("1"),
        currency="USD",
        type="credit",
        status="committed",
        created_at="2026-12-02T03:00:00Z",
    )
    with pytest.raises(ConfigError):
        Repository("meridian-test", aws.client("dynamodb")).create_transaction(
            Caller.user("sub-9"), transaction, "k" * 64, "h" * 64
        )
