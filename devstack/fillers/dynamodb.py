"""DynamoDB global tables (version 2019.11.21) on top of moto 5.2.1.

moto ignores ``UpdateTable.ReplicaUpdates`` and never reports ``Replicas``, so a Terraform
``replica {}`` block waits forever. This filler:

* applies ``ReplicaUpdates`` Create/Delete by creating/deleting the table in the other region's
  moto backend, with the same key schema, attributes, billing, indexes, streams, TTL and SSE
  (the replica's own KMS key when one is given), and back-fills the existing items;
* adds ``Replicas`` (every *other* region, ``ReplicaStatus: ACTIVE``, the replica's KMS key) and
  ``GlobalTableVersion`` to DescribeTable / UpdateTable answers in every region of the group;
* hands every successful PutItem, UpdateItem, DeleteItem, BatchWriteItem or TransactWriteItems to
  the asynchronous replicator (``devstack.dynamodb.replication``: delay, commit order, last writer
  wins, isolation) and runs the lazy TTL sweeper (``devstack.dynamodb.ttl``); ``control`` serves
  ``/_devstack/replication`` (``devstack.dynamodb.control``);
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
from moto.dynamodb.models.table import Table

from devstack.dynamodb.control import ReplicationControl
from devstack.dynamodb.idempotency import TransactionTokens
from devstack.dynamodb.queries import partition_view
from devstack.dynamodb.replication import Replicator, written_keys
from devstack.dynamodb.transactions import transact_write
from devstack.dynamodb.ttl import TtlSweeper
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
        # Serialises each write with the capture of its image, and with the replicator's applies.
        self._lock = threading.RLock()
        self.replicator = Replicator(self.backend, self.replica_regions, self._lock)
        self.sweeper = TtlSweeper(
            self.backend,
            lambda: list(dynamodb_backends[account_id].keys()),
            self.replicator,
            self._lock,
        )
        self.control = ReplicationControl(self.replicator, self.sweeper)
        self.tokens = TransactionTokens()  # TransactWriteItems' ClientRequestToken
        self.replicator.start()
        self.sweeper.start()

    def shutdown(self) -> None:
        """Stop the replication and TTL threads (make down must leave nothing running)."""
        self.sweeper.stop()
        self.replicator.stop()

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
                # A reused ClientRequestToken: answered, not applied (devstack.dynamodb.idempotency)
                transact = operation == "TransactWriteItems"
                replayed = self.tokens.replay(request.region, request.json()) if transact else None
                fast = replayed or (
                    transact_write(self.backend(request.region), request.json())
                    if transact
                    else None
                )
                # moto answers whatever the fast path did not (nothing changed then).
                response = fast or forward(request)
                if response.status == 200 and replayed is None:
                    backend = self.backend(request.region)
                    for table_name, key in written_keys(operation, request.json(), backend):
                        self.replicator.record_local_write(request.region, table_name, key)
                    if transact:
                        self.tokens.remember(request.region, request.json(), response)
            return response
        if operation == "UpdateTimeToLive":
            response = forward(request)
            if response.status == 200:
                self._propagate_ttl(request.region, request.json().get("TableName", ""))
            return response
        if operation == "DeleteTable":
            response = forward(request)
            if response.status == 200:
                table_name = str(request.json().get("TableName", ""))
                self._forget_region(table_name, request.region)
                self.replicator.forget_table(request.region, table_name)
            return response
        # Every other call (reads included) under the lock: a Query is answered on a view of
        # its partition (devstack.dynamodb.queries), which no other request may see.
        with self._lock:
            if operation == "Query":
                with partition_view(self.backend(request.region), request.json()):
                    return forward(request)
            return forward(request)

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
                self.replicator.forget_table(target, table_name)
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


def _all_items(table: Table) -> list[Any]:
    return list(table.all_items())
