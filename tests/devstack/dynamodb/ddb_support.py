"""Helpers shared by the DynamoDB devstack tests (imported by name, like runtime's rt_support)."""

from __future__ import annotations

from typing import Any

from devstack_support import RunningEmulator

PRIMARY, SECONDARY = "us-east-1", "us-west-2"


class Emulator(RunningEmulator):
    """The running emulator, with a wait for its replication to drain."""

    def drain(self) -> None:
        assert self.app.dynamodb.replicator.drain(timeout_seconds=30), "replication did not drain"


def create_table(client: Any, name: str, sse: dict[str, Any] | None = None) -> None:
    client.create_table(
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
        SSESpecification=sse or {"Enabled": True, "SSEType": "KMS"},
    )


def key(pk: str, sk: str) -> dict[str, Any]:
    return {"pk": {"S": pk}, "sk": {"S": sk}}
