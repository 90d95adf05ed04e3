"""The DynamoDB global-table filler: replicas follow UpdateTable and every write is replicated
(asynchronously: each cross-region read first drains the replication queue)."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError
from ddb_support import PRIMARY, SECONDARY, create_table, key


def test_replica_create_reports_replicas_in_both_regions(global_table: Any) -> None:
    name, east, west = global_table
    east_view = east.describe_table(TableName=name)["Table"]
    west_view = west.describe_table(TableName=name)["Table"]
    assert [r["RegionName"] for r in east_view["Replicas"]] == [SECONDARY]
    assert [r["RegionName"] for r in west_view["Replicas"]] == [PRIMARY]
    assert {r["ReplicaStatus"] for r in east_view["Replicas"] + west_view["Replicas"]} == {"ACTIVE"}
    assert east_view["GlobalTableVersion"] == "2019.11.21"


def test_replica_table_has_the_same_schema_streams_ttl_and_sse(global_table: Any) -> None:
    name, east, west = global_table
    source = east.describe_table(TableName=name)["Table"]
    replica = west.describe_table(TableName=name)["Table"]
    for field in ("KeySchema", "AttributeDefinitions", "BillingModeSummary", "StreamSpecification"):
        assert replica[field] == source[field], field
    assert replica["TableArn"] == source["TableArn"].replace(PRIMARY, SECONDARY)
    assert replica["SSEDescription"]["Status"] == "ENABLED"
    assert f":kms:{SECONDARY}:" in replica["SSEDescription"]["KMSMasterKeyArn"]
    ttl = west.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
    assert ttl == {"TimeToLiveStatus": "ENABLED", "AttributeName": "expires_at"}


def test_replica_uses_the_kms_key_given_for_its_region(emulator: Any, unique_name: Any) -> None:
    east = emulator.client("dynamodb", PRIMARY)
    west = emulator.client("dynamodb", SECONDARY)
    west_key = emulator.client("kms", SECONDARY).create_key()["KeyMetadata"]["Arn"]
    name = unique_name("kms")
    create_table(east, name)
    east.update_table(
        TableName=name,
        ReplicaUpdates=[{"Create": {"RegionName": SECONDARY, "KMSMasterKeyId": west_key}}],
    )
    replicas = east.describe_table(TableName=name)["Table"]["Replicas"]
    assert replicas[0]["KMSMasterKeyId"] == west_key
    assert (
        west.describe_table(TableName=name)["Table"]["SSEDescription"]["KMSMasterKeyArn"]
        == west_key
    )


def test_existing_items_are_backfilled(global_table: Any) -> None:
    name, _, west = global_table
    item = west.get_item(TableName=name, Key=key("u1", "before"), ConsistentRead=True)["Item"]
    assert item["v"] == {"N": "1"}


def test_put_update_delete_replicate_both_ways(global_table: Any, emulator: Any) -> None:
    name, east, west = global_table
    east.put_item(TableName=name, Item={**key("u1", "a"), "n": {"N": "1"}})
    emulator.drain()
    assert west.get_item(TableName=name, Key=key("u1", "a"))["Item"]["n"] == {"N": "1"}
    west.update_item(
        TableName=name,
        Key=key("u1", "a"),
        UpdateExpression="SET n = n + :one, tags = :tags",
        ExpressionAttributeValues={":one": {"N": "1"}, ":tags": {"SS": ["x", "y"]}},
    )
    emulator.drain()
    replicated = east.get_item(TableName=name, Key=key("u1", "a"))["Item"]
    assert replicated["n"] == {"N": "2"}
    assert sorted(replicated["tags"]["SS"]) == ["x", "y"]
    east.delete_item(TableName=name, Key=key("u1", "a"))
    emulator.drain()
    assert "Item" not in west.get_item(TableName=name, Key=key("u1", "a"))


def test_failed_conditional_write_changes_nothing_anywhere(global_table: Any) -> None:
    name, east, west = global_table
    with pytest.raises(ClientError) as failure:
        east.put_item(
            TableName=name,
            Item={**key("u1", "before"), "v": {"N": "99"}},
            ConditionExpression="attribute_not_exists(pk)",
        )
    assert failure.value.response["Error"]["Code"] == "ConditionalCheckFailedException"
    assert west.get_item(TableName=name, Key=key("u1", "before"))["Item"]["v"] == {"N": "1"}


def test_batch_and_transact_writes_replicate(global_table: Any, emulator: Any) -> None:
    name, east, west = global_table
    east.batch_write_item(
        RequestItems={
            name: [
                {"PutRequest": {"Item": {**key("b", "1"), "x": {"S": "one"}}}},
                {"PutRequest": {"Item": {**key("b", "2"), "x": {"S": "two"}}}},
                {"DeleteRequest": {"Key": key("u1", "before")}},
            ]
        }
    )
    emulator.drain()
    assert west.get_item(TableName=name, Key=key("b", "2"))["Item"]["x"] == {"S": "two"}
    assert "Item" not in west.get_item(TableName=name, Key=key("u1", "before"))
    west.transact_write_items(
        TransactItems=[
            {"Put": {"TableName": name, "Item": {**key("t", "1"), "x": {"S": "new"}}}},
            {
                "Update": {
                    "TableName": name,
                    "Key": key("b", "1"),
                    "UpdateExpression": "SET x = :v",
                    "ExpressionAttributeValues": {":v": {"S": "changed"}},
                }
            },
            {"Delete": {"TableName": name, "Key": key("b", "2")}},
        ]
    )
    emulator.drain()
    assert east.get_item(TableName=name, Key=key("t", "1"))["Item"]["x"] == {"S": "new"}
    assert east.get_item(TableName=name, Key=key("b", "1"))["Item"]["x"] == {"S": "changed"}
    assert "Item" not in east.get_item(TableName=name, Key=key("b", "2"))


def test_replica_writes_show_up_in_the_replica_stream(global_table: Any, emulator: Any) -> None:
    name, east, west = global_table
    east.put_item(TableName=name, Item={**key("s", "1"), "x": {"S": "streamed"}})
    emulator.drain()
    streams = emulator.client("dynamodbstreams", SECONDARY)
    arn = west.describe_table(TableName=name)["Table"]["LatestStreamArn"]
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = streams.get_shard_iterator(
        StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON"
    )["ShardIterator"]
    records = streams.get_records(ShardIterator=iterator)["Records"]
    assert any(r["dynamodb"].get("NewImage", {}).get("x") == {"S": "streamed"} for r in records)


def test_deleting_the_replica_removes_it(global_table: Any) -> None:
    name, east, west = global_table
    east.update_table(TableName=name, ReplicaUpdates=[{"Delete": {"RegionName": SECONDARY}}])
    with pytest.raises(ClientError) as missing:
        west.describe_table(TableName=name)
    assert missing.value.response["Error"]["Code"] == "ResourceNotFoundException"
    assert "Replicas" not in east.describe_table(TableName=name)["Table"]
    east.put_item(TableName=name, Item=key("after", "delete"))  # no replica left: no error


def test_replica_update_errors(global_table: Any, emulator: Any) -> None:
    name, east, _ = global_table
    with pytest.raises(ClientError) as twice:
        east.update_table(TableName=name, ReplicaUpdates=[{"Create": {"RegionName": SECONDARY}}])
    assert twice.value.response["Error"]["Code"] == "ValidationException"
    with pytest.raises(ClientError) as unknown_region:
        east.update_table(TableName=name, ReplicaUpdates=[{"Delete": {"RegionName": "eu-west-1"}}])
    assert unknown_region.value.response["Error"]["Code"] == "ValidationException"
    with pytest.raises(ClientError) as no_table:
        east.update_table(
            TableName="does-not-exist", ReplicaUpdates=[{"Create": {"RegionName": SECONDARY}}]
        )
    assert no_table.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_deleting_the_table_in_one_region_leaves_the_other(global_table: Any) -> None:
    name, east, west = global_table
    west.delete_table(TableName=name)
    assert "Replicas" not in east.describe_table(TableName=name)["Table"]
