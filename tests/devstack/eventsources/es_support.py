"""Helpers for the event source tests (imported by name, like the dynamodb suite's ddb_support).

The test function appends one JSON line per invocation to ``JOURNAL`` (the records' ``pk`` and
sequence numbers) and decides its answer from the items themselves:

* ``fail`` = ``"always"``: the record fails every time;
* ``fail_times`` = ``"N"``: the record fails its first N deliveries (counted in ``JOURNAL.state``);
* ``MODE`` = ``raise`` (an unhandled error for the whole batch), ``report`` (a partial batch
  response naming the failing records' sequence numbers) or ``bogus`` (a partial batch response
  with an empty ``itemIdentifier``).
"""

from __future__ import annotations

import io
import json
import time
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from devstack_support import RunningEmulator

PRIMARY, SECONDARY = "us-east-1", "us-west-2"

FUNCTION_CODE = """
import json, os

def _state(path):
    try:
        with open(path) as f:
            return json.load(f)
    except FileNotFoundError:
        return {}

def handler(event, context):
    journal = os.environ["JOURNAL"]
    state_path = journal + ".state"
    state = _state(state_path)
    records = event["Records"]
    with open(journal, "a") as f:
        f.write(json.dumps({
            "pks": [r["dynamodb"]["Keys"]["pk"]["S"] for r in records],
            "seqs": [r["dynamodb"]["SequenceNumber"] for r in records],
            "regions": [r["awsRegion"] for r in records],
            "names": [r["eventName"] for r in records],
            "source": records[0]["eventSourceARN"] if records else None,
            "created": [r["dynamodb"]["ApproximateCreationDateTime"] for r in records],
        }) + "\\n")
    failing = []
    for r in records:
        image = r["dynamodb"].get("NewImage", {})
        pk = r["dynamodb"]["Keys"]["pk"]["S"]
        if image.get("fail", {}).get("S") == "always":
            failing.append(r)
        elif "fail_times" in image:
            seen = state.get(pk, 0)
            if seen < int(image["fail_times"]["S"]):
                state[pk] = seen + 1
                failing.append(r)
    with open(state_path, "w") as f:
        json.dump(state, f)
    topic = os.environ.get("TOPIC_ARN")
    if topic:
        import boto3
        for r in records:
            boto3.client("sns").publish(TopicArn=topic, Message=r["dynamodb"]["Keys"]["pk"]["S"])
    if not failing:
        return {"batchItemFailures": []}
    if os.environ.get("MODE") == "bogus":
        return {"batchItemFailures": [{"itemIdentifier": ""}]}
    if os.environ.get("MODE") == "report":
        return {"batchItemFailures": [
            {"itemIdentifier": r["dynamodb"]["SequenceNumber"]} for r in failing
        ]}
    raise RuntimeError("poison record " + failing[0]["dynamodb"]["Keys"]["pk"]["S"])
"""


class Emulator(RunningEmulator):
    def drain(self) -> None:
        assert self.app.dynamodb.replicator.drain(timeout_seconds=30), "replication did not drain"


def create_table(client: Any, name: str) -> str:
    """A table with a NEW_AND_OLD_IMAGES stream; returns the stream ARN."""
    answer = client.create_table(
        TableName=name,
        KeySchema=[
            {"AttributeName": "pk", "KeyType": "HASH"},
            {"AttributeName": "sk", "KeyType": "RANGE"},
        ],
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
        ],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    )
    return str(answer["TableDescription"]["LatestStreamArn"])


def deploy_function(
    emulator: RunningEmulator,
    name: str,
    journal: Path,
    region: str = PRIMARY,
    mode: str = "raise",
    extra_env: dict[str, str] | None = None,
    policy: dict[str, Any] | None = None,
) -> str:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", FUNCTION_CODE)
    iam = emulator.client("iam")
    role = iam.create_role(
        RoleName=f"{name}-{region}",
        AssumeRolePolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": "lambda.amazonaws.com"},
                        "Action": "sts:AssumeRole",
                    }
                ],
            }
        ),
    )
    if policy is not None:
        iam.put_role_policy(
            RoleName=f"{name}-{region}", PolicyName="inline", PolicyDocument=json.dumps(policy)
        )
    answer = emulator.client("lambda", region).create_function(
        FunctionName=name,
        Runtime="python3.13",
        Role=role["Role"]["Arn"],
        Handler="app.handler",
        Code={"ZipFile": buffer.getvalue()},
        Timeout=30,
        Environment={"Variables": {"JOURNAL": str(journal), "MODE": mode, **(extra_env or {})}},
    )
    return str(answer["FunctionArn"])


def put(client: Any, table: str, pk: str, **attributes: str) -> None:
    item = {"pk": {"S": pk}, "sk": {"S": "TXN#1"}}
    item.update({k: {"S": v} for k, v in attributes.items()})
    client.put_item(TableName=table, Item=item)


def mapping(emulator: RunningEmulator, function: str, stream_arn: str, **settings: Any) -> str:
    """CreateEventSourceMapping in the stream's Region (TRIM_HORIZON unless told); its UUID."""
    region = stream_arn.split(":")[3]
    answer = emulator.client("lambda", region).create_event_source_mapping(
        FunctionName=function,
        EventSourceArn=stream_arn,
        StartingPosition=settings.pop("StartingPosition", "TRIM_HORIZON"),
        **settings,
    )
    return str(answer["UUID"])


# An item written before the mapping exists: its pk, or its pk and extra string attributes.
Item = str | tuple[str, dict[str, str]]


@dataclass(frozen=True)
class Stream:
    """What ``StreamSetup.build`` made: the table (and a client of its emulator), its stream,
    the function, the mapping and, when asked for, the on-failure queue."""

    ddb: Any
    table: str
    stream_arn: str
    function_arn: str
    uuid: str
    failure_queue_url: str | None = None

    def put(self, pk: str, **attributes: str) -> None:
        put(self.ddb, self.table, pk, **attributes)


class StreamSetup:
    """Builds the table -> stream -> mapping -> function chain a stream test runs, with the
    parameters the tests vary (the ``stream`` fixture: one per test, its name and journal)."""

    def __init__(self, emulator: RunningEmulator, name: str, journal: Path) -> None:
        self.emulator = emulator
        self.name = name
        self.journal = journal

    def build(
        self,
        *,
        on: RunningEmulator | None = None,
        before: Sequence[Item] = (),
        mode: str = "raise",
        extra_env: dict[str, str] | None = None,
        policy: dict[str, Any] | None = None,
        failure_queue: bool = False,
        **settings: Any,
    ) -> Stream:
        """The table, then the ``before`` items, the function and the mapping (``settings`` =
        CreateEventSourceMapping parameters; ``failure_queue`` adds an SQS OnFailure
        destination), all through ``on`` (default: the module's emulator)."""
        emulator = on or self.emulator
        ddb = emulator.client("dynamodb")
        stream_arn = create_table(ddb, self.name)
        for item in before:
            pk, attributes = (item, {}) if isinstance(item, str) else item
            put(ddb, self.name, pk, **attributes)
        queue_url = None
        if failure_queue:
            queue_url, queue_arn = create_queue(emulator, f"{self.name}-failed")
            settings["DestinationConfig"] = {"OnFailure": {"Destination": queue_arn}}
        function = deploy_function(
            emulator, self.name, self.journal, mode=mode, extra_env=extra_env, policy=policy
        )
        uuid = mapping(emulator, function, stream_arn, **settings)
        return Stream(ddb, self.name, stream_arn, function, uuid, queue_url)


def invocations(journal: Path) -> list[dict[str, Any]]:
    if not journal.exists():
        return []
    return [json.loads(line) for line in journal.read_text().splitlines() if line.strip()]


def delivered(journal: Path) -> list[str]:
    """Every pk in every invocation, in invocation order (retries included)."""
    return [pk for invocation in invocations(journal) for pk in invocation["pks"]]


def wait_for(condition: Callable[[], Any], timeout: float = 60.0, what: str = "") -> Any:
    """Poll until ``condition()`` is truthy (bounded; the bound is not what the test asserts)."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what or condition}")
        time.sleep(0.1)


def create_queue(emulator: RunningEmulator, name: str, region: str = PRIMARY) -> tuple[str, str]:
    sqs = emulator.client("sqs", region)
    url = str(sqs.create_queue(QueueName=name)["QueueUrl"])
    arn = str(
        sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
    )
    return url, arn


def allow_sns(emulator: RunningEmulator, queue_url: str, queue_arn: str, topic_arn: str) -> None:
    """The queue policy SNS needs to deliver from ``topic_arn``
    (https://docs.aws.amazon.com/sns/latest/dg/subscribe-sqs-queue-to-sns-topic.html)."""
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "sns.amazonaws.com"},
                "Action": "sqs:SendMessage",
                "Resource": queue_arn,
                "Condition": {"ArnEquals": {"aws:SourceArn": topic_arn}},
            }
        ],
    }
    region = queue_arn.split(":")[3]
    emulator.client("sqs", region).set_queue_attributes(
        QueueUrl=queue_url, Attributes={"Policy": json.dumps(policy)}
    )


def receive_all(emulator: RunningEmulator, url: str, region: str = PRIMARY) -> list[dict[str, Any]]:
    sqs = emulator.client("sqs", region)
    messages: list[dict[str, Any]] = []
    while True:
        batch = sqs.receive_message(
            QueueUrl=url, MaxNumberOfMessages=10, MessageAttributeNames=["All"]
        ).get("Messages", [])
        if not batch:
            return messages
        messages.extend(batch)
        for message in batch:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
