"""DynamoDB global tables (version 2019.11.21) on top of moto 5.2.1.

moto ignores ``UpdateTable.ReplicaUpdates`` and never reports ``Replicas``, so a Terraform
``replica {}`` block waits forever. This filler:

* applies ``ReplicaUpdates`` Create/Delete by creating/deleting the table in the other region's
  moto backend, with the same key schema, attributes, billing, indexes, streams, TTL and SSE
  (the replica's own KMS key when one is given), and back-fills the existing items;
* adds ``Replicas`` (every *other* region, ``ReplicaStatus: ACTIVE``, the replica's KMS key) and
  ``GlobalTableVersion`` to DescribeTable / UpdateTable answers in every region of the group;
* replicates writes: after PutItem, UpdateItem, DeleteItem, BatchWriteItem or TransactWriteItems
  succeeds, the current state of each written item is copied from the region that took the write
  to every other replica (synchronously, so it is visible there before the caller gets its answer);
* propagates UpdateTimeToLive to the replicas, as DynamoDB does.
"""

from __future__ import annotations

import copy
import json
import threading
import zlib
from dataclasses import dataclass, field
from typing import Any

from moto.dynamodb.models import DynamoDBBackend, dynamodb_backends
from moto.dynamodb.models.dynamo_type import DynamoType
from moto.dynamodb.models.table import Table

from devstack.fillers import Forward
from devstack.wsgi import AwsRequest, Response, aws_json_error

GLOBAL_TABLE_VERSION = "2019.11.21"
_WRITE_OPERATIONS = {
    "PutItem",
    "UpdateItem",
    "DeleteItem",
    "BatchWriteItem",
    "TransactWriteItems",
}


@dataclass
class ReplicaGroup:
    """The regions holding one global table, and the KMS key each replica was created with."""

    table_name: str
    kms_keys: dict[str, str | None] = field(default_factory=dict)  # region -> key (None = default)


class DynamoDbReplicas:
    def __init__(self, account_id: str) -> None:
        self.account_id = account_id
        self._groups: dict[str, ReplicaGroup] = {}  # table name -> group
        # Serialises writes with their replication, so replicas see writes in order.
        self._lock = threading.RLock()

    # -- dispatch -----------------------------------------------------------------------------
    def handle(  # noqa: PLR0911 - one return per operation
        self, request: AwsRequest, forward: Forward
    ) -> Response | None:
        if request.service != "dynamodb" or not request.region:
            return None
        operation = request.target
        if operation == "UpdateTable" and "ReplicaUpdates" in request.json():
            return self._update_table_with_replicas(request, forward)
        if operation in ("DescribeTable", "UpdateTable"):
            return self._with_replicas(request, forward(request), "Table")
        if operation in _WRITE_OPERATIONS:
            with self._lock:
                response = forward(request)
                if response.status == 200:
                    self._replicate_writes(request.region, operation, request.json())
            return response
        if operation == "UpdateTimeToLive":
            response = forward(request)
            if response.status == 200:
                self._propagate_ttl(request.region, request.json().get("TableName", ""))
            return response
        if operation == "DeleteTable":
            response = forward(request)
            if response.status == 200:
                self._forget_region(request.json().get("TableName", ""), request.region)
            return response
        return None

    def backend(self, region: str) -> DynamoDBBackend:
        backend: DynamoDBBackend = dynamodb_backends[self.account_id][region]
        return backend

    def replica_regions(self, table_name: str) -> list[str]:
        group = self._groups.get(table_name)
        return sorted(group.kms_keys) if group else []

    # -- replica management -------------------------------------------------------------------
    def _update_table_with_replicas(self, request: AwsRequest, forward: Forward) -> Response:
        region = request.region or ""
        document = request.json()
        table_name = str(document.get("TableName", ""))
        updates = document.pop("ReplicaUpdates") or []
        try:
            source = self.backend(region).get_table(table_name)
        except Exception:  # moto raises its own ResourceNotFoundException type
            return aws_json_error(
                400, "ResourceNotFoundException", f"Requested resource not found: {table_name}"
            )
        for update in updates:
            if "Create" in update:
                target = update["Create"]["RegionName"]
                if target == region or target in self.replica_regions(table_name):
                    return aws_json_error(
                        400, "ValidationException", f"Replica already exists in {target}"
                    )
                self._create_replica(source, target, update["Create"].get("KMSMasterKeyId"))
            elif "Delete" in update:
                target = update["Delete"]["RegionName"]
                if target not in self.replica_regions(table_name) or target == region:
                    # AWS's own message: the provider's table delete tolerates exactly it when the
                    # aws_dynamodb_table_replica resource already removed the replica.
                    return aws_json_error(
                        400,
                        "ValidationException",
                        "Replica specified in the Replica Update or Replica Delete action of the "
                        "request was not found.",
                    )
                self.backend(target).tables.pop(table_name, None)
                self._forget_region(table_name, target)
        # Whatever else the call changes (billing, streams, ...) is moto's job.
        response = forward(request.with_body(json.dumps(document).encode()))
        return self._with_replicas(request, response, "TableDescription")

    def _create_replica(self, source: Table, target_region: str, kms_key: str | None) -> None:
        group = self._groups.setdefault(source.name, ReplicaGroup(source.name))
        if source.region_name not in group.kms_keys:
            source_sse = source.sse_specification or {}
            group.kms_keys[source.region_name] = source_sse.get("KMSMasterKeyId")
        sse: dict[str, Any] | None = None
        if source.sse_specification and source.sse_specification.get("Enabled"):
            sse = {"Enabled": True, "SSEType": "KMS"}
            if kms_key:
                sse["KMSMasterKeyId"] = kms_key
        stream = copy.deepcopy(source.stream_specification)
        replica = self.backend(target_region).create_table(
            name=source.name,
            schema=copy.deepcopy(source.schema),
            throughput=None
            if source.billing_mode == "PAY_PER_REQUEST"
            else {k: v for k, v in source.throughput.items() if k != "NumberOfDecreasesToday"},
            attr=copy.deepcopy(source.attr),
            global_indexes=[index.describe() for index in source.global_indexes],
            indexes=[index.describe() for index in source.indexes],
            streams=stream if stream and stream.get("StreamEnabled") else None,
            billing_mode=source.billing_mode or "PROVISIONED",
            sse_specification=sse,
            tags=[],
            deletion_protection_enabled=False,
            warm_throughput=None,
        )
        replica.ttl = copy.deepcopy(source.ttl)
        group.kms_keys[target_region] = kms_key
        for item in list(_all_items(source)):
            replica.put_item(item.to_json()["Attributes"])

    def _forget_region(self, table_name: str, region: str) -> None:
        group = self._groups.get(table_name)
        if group is None:
            return
        group.kms_keys.pop(region, None)
        if len(group.kms_keys) <= 1:
            del self._groups[table_name]

    def _with_replicas(self, request: AwsRequest, response: Response, key: str) -> Response:
        """Add ``Replicas`` to a DescribeTable/UpdateTable answer for a table in a group."""
        if response.status != 200:
            return response
        document = response.json()
        description = document.get(key)
        if not isinstance(description, dict):
            return response
        table_name = str(description.get("TableName", ""))
        group = self._groups.get(table_name)
        if group is None or request.region not in group.kms_keys:
            return response
        replicas = []
        for region in sorted(group.kms_keys):
            if region == request.region:
                continue
            replica: dict[str, Any] = {"RegionName": region, "ReplicaStatus": "ACTIVE"}
            table = self.backend(region).tables.get(table_name)
            kms_key = group.kms_keys[region]
            if kms_key is None and table is not None and table.sse_specification:
                kms_key = table.sse_specification.get("KMSMasterKeyId")
            if kms_key:
                replica["KMSMasterKeyId"] = kms_key
            replicas.append(replica)
        description["Replicas"] = replicas
        description["GlobalTableVersion"] = GLOBAL_TABLE_VERSION
        body = json.dumps(document).encode()
        # botocore checks DynamoDB bodies against x-amz-crc32 (and retries on a mismatch).
        headers = [
            (k, v)
            for k, v in response.headers
            if k.lower() not in ("content-length", "x-amz-crc32")
        ]
        headers.append(("x-amz-crc32", str(zlib.crc32(body) & 0xFFFFFFFF)))
        return Response(response.status, headers, body)

    def _propagate_ttl(self, region: str, table_name: str) -> None:
        source = self.backend(region).tables.get(table_name)
        if source is None:
            return
        for other in self.replica_regions(table_name):
            table = self.backend(other).tables.get(table_name)
            if other != region and table is not None:
                table.ttl = copy.deepcopy(source.ttl)

    # -- write replication --------------------------------------------------------------------
    def _replicate_writes(self, region: str, operation: str, document: dict[str, Any]) -> None:
        for table_name, key in _written_keys(operation, document, self.backend(region)):
            others = [r for r in self.replica_regions(table_name) if r != region]
            if not others:
                continue
            source = self.backend(region).tables.get(table_name)
            if source is None:
                continue
            hash_key, range_key = _key_values(source, key)
            item = source.get_item(hash_key, range_key)
            for other in others:
                target = self.backend(other).tables.get(table_name)
                if target is None:
                    continue
                if item is None:
                    if target.get_item(hash_key, range_key) is not None:
                        target.delete_item(hash_key, range_key)
                else:
                    target.put_item(item.to_json()["Attributes"])


def _all_items(table: Table) -> list[Any]:
    return list(table.all_items())


def _key_values(table: Table, key: dict[str, Any]) -> tuple[DynamoType, DynamoType | None]:
    hash_key = DynamoType(key[table.hash_key_attr])
    range_key = DynamoType(key[table.range_key_attr]) if table.range_key_attr else None
    return hash_key, range_key


def _written_keys(
    operation: str, document: dict[str, Any], backend: DynamoDBBackend
) -> list[tuple[str, dict[str, Any]]]:
    """(table name, key attributes) for every item the write touched."""

    def key_of(table_name: str, item: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
        table = backend.tables.get(table_name)
        if table is None or table.hash_key_attr not in item:
            return None
        names = [table.hash_key_attr] + ([table.range_key_attr] if table.range_key_attr else [])
        return table_name, {name: item[name] for name in names if name in item}

    found: list[tuple[str, dict[str, Any]] | None] = []
    if operation == "PutItem":
        found.append(key_of(document.get("TableName", ""), document.get("Item", {})))
    elif operation in ("UpdateItem", "DeleteItem"):
        found.append(key_of(document.get("TableName", ""), document.get("Key", {})))
    elif operation == "BatchWriteItem":
        for table_name, requests in (document.get("RequestItems") or {}).items():
            for entry in requests:
                if "PutRequest" in entry:
                    found.append(key_of(table_name, entry["PutRequest"].get("Item", {})))
                elif "DeleteRequest" in entry:
                    found.append(key_of(table_name, entry["DeleteRequest"].get("Key", {})))
    elif operation == "TransactWriteItems":
        for entry in document.get("TransactItems") or []:
            if "Put" in entry:
                found.append(key_of(entry["Put"]["TableName"], entry["Put"].get("Item", {})))
            for kind in ("Update", "Delete"):
                if kind in entry:
                    found.append(key_of(entry[kind]["TableName"], entry[kind].get("Key", {})))
    return [entry for entry in found if entry is not None]
