"""DynamoDB stream -> Lambda event source mappings run by the devstack (devstack.eventsources).

Each test builds the journal-writing test function (es_support.FUNCTION_CODE), a table with a
stream and a mapping (the ``stream`` fixture, es_support.StreamSetup), writes items, and checks
what the function received, in which batches, and what reached the on-failure destination. The
AWS behaviour each test pins is cited in devstack/eventsources/ and in the fidelity table
(devstack/README.md).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from es_support import (
    PRIMARY,
    SECONDARY,
    Emulator,
    Stream,
    StreamSetup,
    allow_sns,
    create_queue,
    create_table,
    delivered,
    deploy_function,
    invocations,
    mapping,
    put,
    receive_all,
    wait_for,
)
from moto.dynamodb.models import dynamodb_backends

from devstack.eventsources.runner import MotoShard


def stream_record_count(emulator: Emulator, stream_arn: str) -> int:
    region = stream_arn.split(":")[3]
    streams = emulator.client("dynamodbstreams", region)
    shard = streams.describe_stream(StreamArn=stream_arn)["StreamDescription"]["Shards"][0]
    iterator = streams.get_shard_iterator(
        StreamArn=stream_arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
    )["ShardIterator"]
    return len(streams.get_records(ShardIterator=iterator, Limit=1000)["Records"])


def failure_records(emulator: Emulator, built: Stream) -> list[dict[str, Any]]:
    """The invocation records on the mapping's on-failure queue (waits for at least one)."""
    assert built.failure_queue_url is not None
    url = built.failure_queue_url
    messages = wait_for(lambda: receive_all(emulator, url), what="the on-failure record")
    return [json.loads(message["Body"]) for message in messages]


def test_records_arrive_in_order_in_batches_of_batch_size(
    emulator: Emulator, stream: StreamSetup, journal: Path
) -> None:
    built = stream.build(before=[f"item-{index}" for index in range(5)], BatchSize=2)

    wait_for(lambda: len(delivered(journal)) >= 5, what="five records")
    assert delivered(journal) == [f"item-{index}" for index in range(5)]
    assert [len(call["pks"]) for call in invocations(journal)] == [2, 2, 1]
    first = invocations(journal)[0]
    assert first["source"] == built.stream_arn
    assert first["regions"] == [PRIMARY, PRIMARY]
    assert first["names"] == ["INSERT", "INSERT"]
    assert all(isinstance(value, (int, float)) for value in first["created"])
    # moto's own (Docker) invocation is detached: the stream keeps every record.
    assert stream_record_count(emulator, built.stream_arn) == 5


def test_batching_window_gathers_a_full_batch(stream: StreamSetup, journal: Path) -> None:
    built = stream.build(BatchSize=3, MaximumBatchingWindowInSeconds=30, StartingPosition="LATEST")
    for index in range(3):
        built.put(f"w-{index}")
    wait_for(lambda: len(delivered(journal)) >= 3, what="the full batch")
    assert [call["pks"] for call in invocations(journal)] == [["w-0", "w-1", "w-2"]]


def test_latest_starts_after_the_records_already_in_the_stream(
    stream: StreamSetup, journal: Path
) -> None:
    built = stream.build(before=["before"], StartingPosition="LATEST")
    built.put("after")
    wait_for(lambda: delivered(journal), what="the record written after the mapping")
    assert delivered(journal) == ["after"]


def test_filtered_out_records_are_dropped_not_delivered(stream: StreamSetup, journal: Path) -> None:
    pattern = {
        "eventName": ["INSERT"],
        "dynamodb": {"NewImage": {"kind": {"S": ["keep"]}, "sk": {"S": [{"prefix": "TXN#"}]}}},
    }
    built = stream.build(FilterCriteria={"Filters": [{"Pattern": json.dumps(pattern)}]})
    built.put("a", kind="keep")
    built.put("b", kind="drop")
    built.put("a", kind="keep", note="a MODIFY record")
    built.put("c", kind="keep")
    wait_for(lambda: "c" in delivered(journal), what="the last matching record")
    assert delivered(journal) == ["a", "c"]


def test_partial_batch_response_resumes_from_the_lowest_failed_record(
    stream: StreamSetup, journal: Path
) -> None:
    stream.build(
        before=["a", ("b", {"fail_times": "1"}), "c"],
        mode="report",
        BatchSize=10,
        FunctionResponseTypes=["ReportBatchItemFailures"],
    )
    wait_for(lambda: len(invocations(journal)) >= 2, what="the retry from the checkpoint")
    assert [call["pks"] for call in invocations(journal)] == [["a", "b", "c"], ["b", "c"]]


def test_with_bisect_a_partial_response_splits_at_the_failed_record_not_in_halves(
    stream: StreamSetup, journal: Path
) -> None:
    built = stream.build(
        before=[("a", {"fail_times": "1"}), "b"],
        mode="report",
        BatchSize=10,
        BisectBatchOnFunctionError=True,
        FunctionResponseTypes=["ReportBatchItemFailures"],
    )
    wait_for(lambda: len(invocations(journal)) >= 2, what="the retry")
    built.put("z")
    wait_for(lambda: "z" in delivered(journal), what="the next record")
    # "bisected at the returned sequence number": the remaining records [a, b], not [a] then [b].
    assert [call["pks"] for call in invocations(journal)] == [["a", "b"], ["a", "b"], ["z"]]


def test_an_empty_item_identifier_is_a_complete_failure_and_is_bisected(
    stream: StreamSetup, journal: Path
) -> None:
    stream.build(
        before=["a", ("b", {"fail_times": "1"})],
        mode="bogus",
        BatchSize=10,
        BisectBatchOnFunctionError=True,
        FunctionResponseTypes=["ReportBatchItemFailures"],
    )
    wait_for(lambda: len(invocations(journal)) >= 3, what="the bisected halves")
    assert [call["pks"] for call in invocations(journal)] == [["a", "b"], ["a"], ["b"]]


def test_partial_batch_response_is_ignored_without_report_batch_item_failures(
    stream: StreamSetup, journal: Path
) -> None:
    built = stream.build(before=["a", ("b", {"fail_times": "1"})], mode="report", BatchSize=10)
    built.put("z")
    wait_for(lambda: "z" in delivered(journal), what="the next record")
    # The answer is an ordinary successful return: the batch counts as processed.
    assert delivered(journal).count("b") == 1


def test_bisect_isolates_a_poison_record_which_goes_to_the_on_failure_queue(
    emulator: Emulator, stream: StreamSetup, journal: Path
) -> None:
    built = stream.build(
        before=["a", "b", ("poison", {"fail": "always"}), "d"],
        failure_queue=True,
        BatchSize=4,
        BisectBatchOnFunctionError=True,
        MaximumRetryAttempts=1,
    )
    records = failure_records(emulator, built)
    assert len(records) == 1
    record = records[0]
    assert record["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert record["requestContext"]["functionArn"] == built.function_arn
    assert record["responseContext"]["functionError"] == "Unhandled"
    info = record["DDBStreamBatchInfo"]
    assert info["batchSize"] == 1
    assert info["streamArn"] == built.stream_arn
    assert info["startSequenceNumber"] == info["endSequenceNumber"]
    poison_seq = next(
        seq
        for call in invocations(journal)
        for pk, seq in zip(call["pks"], call["seqs"], strict=True)
        if pk == "poison"
    )
    assert info["startSequenceNumber"] == poison_seq
    # Every good record was processed in a batch without the poison one; the shard moves on.
    wait_for(lambda: "d" in delivered(journal), what="the record after the poison one")
    built.put("after")
    wait_for(lambda: "after" in delivered(journal), what="a record written afterwards")
    successful = [call["pks"] for call in invocations(journal) if "poison" not in call["pks"]]
    assert sorted(pk for pks in successful for pk in pks) == ["a", "after", "b", "d"]


def test_retries_exhausted_discards_the_batch_and_the_shard_keeps_moving(
    emulator: Emulator, stream: StreamSetup, journal: Path
) -> None:
    built = stream.build(
        before=[("poison", {"fail": "always"}), "next"],
        failure_queue=True,
        BatchSize=1,
        MaximumRetryAttempts=2,
    )
    wait_for(lambda: "next" in delivered(journal), what="the record after the poison one")
    assert delivered(journal) == ["poison", "poison", "poison", "next"]  # 1 + 2 retries
    record = failure_records(emulator, built)[0]
    assert record["requestContext"]["approximateInvokeCount"] == 3
    assert record["DDBStreamBatchInfo"]["batchSize"] == 1


def test_records_older_than_the_maximum_age_are_discarded_to_the_destination(
    emulator: Emulator, stream: StreamSetup, journal: Path
) -> None:
    runner = emulator.app.event_sources
    # The record is made two minutes old by moving the poller's clock, not by waiting.
    runner.clock_offset_seconds = 120.0
    try:
        built = stream.build(before=["old"], failure_queue=True, MaximumRecordAgeInSeconds=60)
        record = failure_records(emulator, built)[0]
    finally:
        runner.clock_offset_seconds = 0.0
    assert record["requestContext"]["condition"] == "MaximumRecordAgeExceeded"
    assert record["requestContext"]["approximateInvokeCount"] == 0
    built.put("fresh")
    wait_for(lambda: delivered(journal), what="the fresh record")
    assert delivered(journal) == ["fresh"]


def test_disabled_mapping_delivers_nothing_until_enabled(
    emulator: Emulator, stream: StreamSetup, journal: Path
) -> None:
    built = stream.build(Enabled=False)
    built.put("held")
    assert emulator.app.event_sources.wait_idle(timeout_seconds=30)
    assert delivered(journal) == []
    emulator.client("lambda").update_event_source_mapping(UUID=built.uuid, Enabled=True)
    wait_for(lambda: delivered(journal), what="the held record")
    assert delivered(journal) == ["held"]


def test_replicated_copies_appear_on_the_other_stream_and_filters_drop_them(
    emulator: Emulator, name: str, journal: Path, tmp_path: Path
) -> None:
    east = emulator.client("dynamodb", PRIMARY)
    west = emulator.client("dynamodb", SECONDARY)
    create_table(east, name)
    east.update_table(TableName=name, ReplicaUpdates=[{"Create": {"RegionName": SECONDARY}}])
    east_stream = east.describe_table(TableName=name)["Table"]["LatestStreamArn"]
    west_stream = west.describe_table(TableName=name)["Table"]["LatestStreamArn"]
    west_journal = tmp_path / "west-journal"
    east_function = deploy_function(emulator, name, journal, region=PRIMARY)
    west_function = deploy_function(emulator, name, west_journal, region=SECONDARY)
    for function, stream, region in (
        (east_function, east_stream, PRIMARY),
        (west_function, west_stream, SECONDARY),
    ):
        pattern = {"dynamodb": {"NewImage": {"written_region": {"S": [region]}}}}
        mapping(
            emulator,
            function,
            stream,
            FilterCriteria={"Filters": [{"Pattern": json.dumps(pattern)}]},
        )
    put(east, name, "from-east", written_region=PRIMARY)
    emulator.drain()
    put(west, name, "from-west", written_region=SECONDARY)
    emulator.drain()
    # Both writes are on both streams (the replica's stream carries the replicated copy) ...
    assert stream_record_count(emulator, east_stream) == 2
    assert stream_record_count(emulator, west_stream) == 2
    wait_for(lambda: delivered(journal) and delivered(west_journal), what="both events")
    assert emulator.app.event_sources.wait_idle(timeout_seconds=30)
    # ... and each region's mapping delivers only the write that region took.
    assert delivered(journal) == ["from-east"]
    assert delivered(west_journal) == ["from-west"]


def test_sns_fault_makes_the_function_fail_until_it_clears(
    emulator: Emulator, stream: StreamSetup, name: str, journal: Path
) -> None:
    sns = emulator.client("sns")
    topic_arn = sns.create_topic(Name=f"{name}-topic")["TopicArn"]
    queue_url, queue_arn = create_queue(emulator, f"{name}-subscriber")
    allow_sns(emulator, queue_url, queue_arn, topic_arn)
    sns.subscribe(
        TopicArn=topic_arn,
        Protocol="sqs",
        Endpoint=queue_arn,
        Attributes={"RawMessageDelivery": "true"},
    )
    policy = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "sns:Publish", "Resource": topic_arn}],
    }
    built = stream.build(extra_env={"TOPIC_ARN": topic_arn}, policy=policy)
    emulator.app.faults.add("sns", PRIMARY)
    try:
        built.put("event-1")
        wait_for(lambda: len(invocations(journal)) >= 2, what="a retried invocation")
        assert receive_all(emulator, queue_url) == []
    finally:
        emulator.app.faults.clear()
    messages = wait_for(lambda: receive_all(emulator, queue_url), what="the published event")
    assert [message["Body"] for message in messages] == ["event-1"]


class _NotCopiedWhole(list[Any]):
    """A stream shard's records that refuse to be iterated whole (a list() of them)."""

    def __iter__(self) -> Any:
        raise AssertionError("the whole stream shard was copied")


def test_a_poll_reads_only_the_records_it_asks_for(emulator: Emulator, name: str) -> None:
    """Lambda reads a shard from its checkpoint on: a poll must not cost the whole stream
    (each step copied every record the shard ever held, at idle too, 4 times a second)."""
    client = emulator.client("dynamodb")
    stream_arn = create_table(client, name)
    for i in range(30):
        put(client, name, f"p{i}", value="x")
    table = dynamodb_backends[emulator.app.account_id][PRIMARY].get_table(name)
    shard = table.stream_shard
    assert shard is not None
    records = shard.items
    shard.items = _NotCopiedWhole(records)
    try:
        reader = MotoShard(emulator.app.account_id, PRIMARY, stream_arn)
        assert reader.length() == 30
        batch = reader.read(25, limit=3)
    finally:
        shard.items = records
    assert [record.index for record in batch] == [25, 26, 27]
    assert [r.event["dynamodb"]["Keys"]["pk"]["S"] for r in batch] == ["p25", "p26", "p27"]
