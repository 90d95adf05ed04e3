"""TTL deletes lazily: expired items stay readable until the sweeper runs; its deletes replicate.

AWS: https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UpdateTimeToLive.html
("items that have expired and not been deleted will still show up in reads, queries, and scans").
"""

from __future__ import annotations

import time
from typing import Any
from unittest import mock

import pytest
import requests
from ddb_support import Emulator, key
from moto.dynamodb.models.dynamo_type import Item
from moto.dynamodb.models.table import Table

from devstack.dynamodb.ttl import SWEEP_ENV, sweep_interval_from_env


def test_expired_items_stay_until_the_sweep_then_the_delete_replicates(
    emulator: Emulator, global_table: Any
) -> None:
    name, east, west = global_table
    now = int(time.time())
    east.put_item(TableName=name, Item={**key("s", "expired"), "expires_at": {"N": str(now - 60)}})
    east.put_item(TableName=name, Item={**key("s", "live"), "expires_at": {"N": str(now + 3600)}})
    east.put_item(TableName=name, Item={**key("s", "no-ttl")})
    east.put_item(TableName=name, Item={**key("s", "text-ttl"), "expires_at": {"S": "0"}})
    emulator.drain()
    assert "Item" in west.get_item(TableName=name, Key=key("s", "expired"))  # expired, still there
    swept = requests.post(f"{emulator.endpoint}/_devstack/replication/ttl-sweep", timeout=30)
    assert swept.status_code == 200
    assert swept.json()["deleted"] >= 1
    assert "Item" not in east.get_item(TableName=name, Key=key("s", "expired"))
    emulator.drain()
    assert "Item" not in west.get_item(TableName=name, Key=key("s", "expired"))
    for kept in ("live", "no-ttl", "text-ttl"):
        assert "Item" in east.get_item(TableName=name, Key=key("s", kept)), kept
        assert "Item" in west.get_item(TableName=name, Key=key("s", kept)), kept


def test_sweep_interval_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(SWEEP_ENV, "2.5")
    assert sweep_interval_from_env() == 2.5
    monkeypatch.setenv(SWEEP_ENV, "0")
    with pytest.raises(ValueError, match=SWEEP_ENV):
        sweep_interval_from_env()


def test_a_sweep_reads_only_the_ttl_attribute(emulator: Emulator, global_table: Any) -> None:
    """The sweep holds the lock every DynamoDB request waits for: it must not render (nor sort)
    every item of every table, only look at each item's TTL attribute."""
    name, east, _west = global_table
    for index in range(50):
        east.put_item(TableName=name, Item={**key("bulk", str(index)), "v": {"N": "1"}})
    # The patches are class-wide: replication still copying the puts would count as the sweep's.
    emulator.drain()
    with (
        mock.patch.object(Item, "to_json", autospec=True, side_effect=Item.to_json) as rendered,
        mock.patch.object(Table, "all_items", autospec=True, side_effect=Table.all_items) as listed,
    ):
        emulator.app.dynamodb.sweeper.sweep()
    assert rendered.call_count == 0
    assert listed.call_count == 0
