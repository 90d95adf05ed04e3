"""Asynchronous global-table replication: delay, commit order, isolation and catch-up, LWW.

AWS: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/V2globaltables_HowItWorks.html
(asynchronous replication, last writer wins, conditions evaluated in the local Region only).
No test measures time: delays are made long (nothing can arrive) or zero plus an explicit drain.
"""

from __future__ import annotations

import threading
from typing import Any

import pytest
import requests
from ddb_support import PRIMARY, SECONDARY, Emulator, key

from devstack.dynamodb.replication import Replicator
from devstack.dynamodb.ttl import TtlSweeper

LONG = 3600.0  # a delay nothing outlives within a test


def control(emulator: Emulator, method: str, path: str = "", **body: Any) -> requests.Response:
    return requests.request(
        method, f"{emulator.endpoint}/_devstack/replication{path}", json=body or None, timeout=60
    )


def item_of(client: Any, name: str, pk: str, sk: str) -> dict[str, Any] | None:
    found: dict[str, Any] | None = client.get_item(TableName=name, Key=key(pk, sk)).get("Item")
    return found


def test_a_write_reaches_the_other_region_only_after_the_delay(
    emulator: Emulator, global_table: Any
) -> None:
    name, east, west = global_table
    assert control(emulator, "PUT", delay_seconds=LONG).json()["delay_seconds"] == LONG
    east.put_item(TableName=name, Item={**key("d", "1"), "v": {"S": "east"}})
    assert item_of(east, name, "d", "1") is not None  # applied locally at once
    assert item_of(west, name, "d", "1") is None  # not yet replicated
    status = control(emulator, "GET").json()
    assert status["pending_by_link"] == {f"{PRIMARY}->{SECONDARY}": 1}
    control(emulator, "PUT", delay_seconds=0)
    drained = control(emulator, "POST", "/drain")
    assert drained.status_code == 200
    assert drained.json()["drained"] is True
    assert drained.json()["pending"] == 0
    assert item_of(west, name, "d", "1") == {**key("d", "1"), "v": {"S": "east"}}


def test_drain_times_out_with_504_while_writes_are_still_delayed(
    emulator: Emulator, global_table: Any
) -> None:
    name, east, _ = global_table
    control(emulator, "PUT", delay_seconds=LONG)
    east.put_item(TableName=name, Item=key("t", "1"))
    answer = control(emulator, "POST", "/drain", timeout_seconds=0.2)
    assert answer.status_code == 504
    assert answer.json()["drained"] is False
    assert answer.json()["pending_flowing"] == 1


def test_writes_are_applied_in_commit_order(emulator: Emulator, global_table: Any) -> None:
    name, east, west = global_table
    control(emulator, "PUT", delay_seconds=LONG)
    for version in range(1, 6):
        east.put_item(TableName=name, Item={**key("o", "1"), "v": {"N": str(version)}})
    east.delete_item(TableName=name, Key=key("o", "1"))
    east.put_item(TableName=name, Item={**key("o", "1"), "v": {"N": "7"}})
    arn = west.describe_table(TableName=name)["Table"]["LatestStreamArn"]
    before = len(_stream_records(emulator, arn))
    control(emulator, "PUT", delay_seconds=0)
    emulator.drain()
    seen = [
        (r["eventName"], r["dynamodb"].get("NewImage", {}).get("v", {}).get("N"))
        for r in _stream_records(emulator, arn)[before:]
        if r["dynamodb"]["Keys"]["pk"] == {"S": "o"}
    ]
    assert seen == [
        ("INSERT", "1"),
        ("MODIFY", "2"),
        ("MODIFY", "3"),
        ("MODIFY", "4"),
        ("MODIFY", "5"),
        ("REMOVE", None),
        ("INSERT", "7"),
    ]


def test_an_isolated_region_neither_sends_nor_receives_until_healed(
    emulator: Emulator, global_table: Any
) -> None:
    name, east, west = global_table
    control(emulator, "PUT", delay_seconds=0, isolated_regions=[SECONDARY])
    east.put_item(TableName=name, Item=key("i", "from-east"))
    west.put_item(TableName=name, Item=key("i", "from-west"))  # local writes still succeed
    drained = control(emulator, "POST", "/drain").json()
    assert drained["drained"] is True  # nothing pending between non-isolated regions ...
    assert drained["pending"] == 2  # ... but both directions wait for the isolated one
    assert item_of(west, name, "i", "from-east") is None
    assert item_of(east, name, "i", "from-west") is None
    healed = control(emulator, "PUT", isolated_regions=[])
    assert healed.json()["isolated_regions"] == []
    emulator.drain()
    assert item_of(west, name, "i", "from-east") is not None
    assert item_of(east, name, "i", "from-west") is not None


def test_concurrent_writes_resolve_last_writer_wins_and_conditions_are_local(
    emulator: Emulator, global_table: Any
) -> None:
    name, east, west = global_table
    control(emulator, "PUT", delay_seconds=0, isolated_regions=[PRIMARY])
    # Both regions accept a create guarded by attribute_not_exists: each checks its own replica.
    guard = "attribute_not_exists(pk)"
    east.put_item(
        TableName=name, Item={**key("w", "1"), "v": {"S": "east"}}, ConditionExpression=guard
    )
    west.put_item(
        TableName=name, Item={**key("w", "1"), "v": {"S": "west"}}, ConditionExpression=guard
    )
    control(emulator, "PUT", isolated_regions=[])
    emulator.drain()
    # The later write (west's) wins in both replicas; east's older write is dropped in the west.
    assert item_of(east, name, "w", "1") == {**key("w", "1"), "v": {"S": "west"}}
    assert item_of(west, name, "w", "1") == {**key("w", "1"), "v": {"S": "west"}}
    assert control(emulator, "GET").json()["superseded"] >= 1


@pytest.mark.parametrize(
    "body",
    [
        {"delay_seconds": -1},
        {"delay_seconds": "1"},
        {"delay_seconds": True},
        {"isolated_regions": "us-west-2"},
        {"isolated_regions": [""]},
        {"paused": True},
    ],
)
def test_bad_control_input_is_a_400(emulator: Emulator, body: dict[str, Any]) -> None:
    answer = control(emulator, "PUT", **body)
    assert answer.status_code == 400
    assert answer.json()["__type"] == "ValidationException"


def test_drain_rejects_a_bad_timeout(emulator: Emulator) -> None:
    assert control(emulator, "POST", "/drain", timeout_seconds=0).status_code == 400
    assert control(emulator, "DELETE").status_code == 405


def test_stop_ends_the_background_threads() -> None:
    lock = threading.RLock()
    before = set(threading.enumerate())
    replicator = Replicator(lambda region: None, lambda table: [], lock, delay_seconds=1.0)  # type: ignore[arg-type,return-value]
    sweeper = TtlSweeper(lambda region: None, list, replicator, lock, interval_seconds=60)  # type: ignore[arg-type,return-value]
    replicator.start()
    sweeper.start()
    started = set(threading.enumerate()) - before
    assert {t.name for t in started} == {"devstack-dynamodb-replication", "devstack-dynamodb-ttl"}
    sweeper.stop()
    replicator.stop()
    assert not any(thread.is_alive() for thread in started)


def _stream_records(emulator: Emulator, arn: str) -> list[dict[str, Any]]:
    streams = emulator.client("dynamodbstreams", SECONDARY)
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = streams.get_shard_iterator(
        StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON"
    )["ShardIterator"]
    records: list[dict[str, Any]] = streams.get_records(ShardIterator=iterator, Limit=1000)[
        "Records"
    ]
    return records
