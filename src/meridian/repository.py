"""The ONE module that talks to DynamoDB (single table, ``pk``/``sk``, TTL on ``expires_at``).

Services pass and receive plain dicts (numbers as ``Decimal``/``int``, never floats). Every
DynamoDB fault that means "not now" becomes ``ServiceUnavailableError`` here; conditional-check
failures become the domain errors the caller asked for.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer  # type: ignore[import-untyped]
from botocore.exceptions import ClientError  # type: ignore[import-untyped]

from meridian import aws, errors

Item = dict[str, Any]
Key = dict[str, str]

PROFILE_SK = "PROFILE"
SESSION_PREFIX = "SESSION#"
TRANSACTION_PREFIX = "TXN#"
IDEMPOTENCY_GUARD_PREFIX = "IDEMKEY#"
# "~" sorts after every ULID character (0-9, A-Z): PREFIX + "~" is above every PREFIX{ULID} key.
AFTER_EVERY_ULID = "~"
BATCH_WRITE_LIMIT = 25
BATCH_RETRY_DELAYS = (0.05, 0.1, 0.2, 0.4, 0.8)

_SERIALIZER = TypeSerializer()
_DESERIALIZER = TypeDeserializer()


def user_pk(user_id: str) -> str:
    return f"USER#{user_id}"


def _to_ddb(item: Item) -> dict[str, Any]:
    return {name: _SERIALIZER.serialize(value) for name, value in item.items()}


def _from_ddb(item: dict[str, Any]) -> Item:
    return {name: _DESERIALIZER.deserialize(value) for name, value in item.items()}


def _error_code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


@contextmanager
def _dynamodb(operation: str) -> Iterator[None]:
    """Translate transport and throttling faults into ServiceUnavailableError."""
    try:
        yield
    except errors.MeridianError:
        raise
    except Exception as error:
        if errors.is_unavailable(error):
            raise errors.ServiceUnavailableError(
                f"the data store is temporarily unavailable ({operation})"
            ) from error
        raise


class Repository:
    """Data access for one table; every method is one well-defined DynamoDB access pattern."""

    def __init__(self, table_name: str, client: Any | None = None) -> None:  # noqa: ANN401
        self.table_name = table_name
        self._client = client

    @property
    def client(self) -> Any:  # noqa: ANN401 - boto3 clients are dynamically typed
        return self._client if self._client is not None else aws.client("dynamodb")

    # -- generic --------------------------------------------------------------------------
    def get_item(self, pk: str, sk: str) -> Item | None:
        with _dynamodb("GetItem"):
            response = self.client.get_item(
                TableName=self.table_name,
                Key=_to_ddb({"pk": pk, "sk": sk}),
                ConsistentRead=True,
            )
        item = response.get("Item")
        return _from_ddb(item) if item else None

    def query_partition(self, pk: str, sk_prefix: str) -> list[Item]:
        """Every item of one partition whose sort key starts with ``sk_prefix`` (all pages)."""
        return self._query_all(
            "pk = :pk AND begins_with(sk, :prefix)", {":pk": pk, ":prefix": sk_prefix}
        )

    def query_sort_key_span(self, pk: str, first_sk: str, last_prefix: str) -> list[Item]:
        """Every item of one partition from sort key ``first_sk`` through the last
        ``last_prefix{ULID}`` key (all pages): one Query serves several item types whose sort keys
        are adjacent (``PROFILE`` < ``SESSION#`` < ``TXN#``)."""
        return self._query_all(
            "pk = :pk AND sk BETWEEN :first AND :last",
            {":pk": pk, ":first": first_sk, ":last": last_prefix + AFTER_EVERY_ULID},
        )

    def _query_all(self, key_condition: str, values: dict[str, str]) -> list[Item]:
        items: list[Item] = []
        request: dict[str, Any] = {
            "TableName": self.table_name,
            "KeyConditionExpression": key_condition,
            "ExpressionAttributeValues": _to_ddb(values),
            "ConsistentRead": True,
        }
        while True:
            with _dynamodb("Query"):
                response = self.client.query(**request)
            items.extend(_from_ddb(item) for item in response.get("Items", []))
            last_key = response.get("LastEvaluatedKey")
            if not last_key:
                return items
            request["ExclusiveStartKey"] = last_key

    def delete_keys(self, keys: list[Key]) -> None:
        """BatchWriteItem deletes in chunks of 25, retrying unprocessed items with backoff."""
        for start in range(0, len(keys), BATCH_WRITE_LIMIT):
            pending = [
                {"DeleteRequest": {"Key": _to_ddb(key)}}
                for key in keys[start : start + BATCH_WRITE_LIMIT]
            ]
            for delay in (0.0, *BATCH_RETRY_DELAYS):
                if delay:
                    time.sleep(delay)
                with _dynamodb("BatchWriteItem"):
                    response = self.client.batch_write_item(RequestItems={self.table_name: pending})
                pending = response.get("UnprocessedItems", {}).get(self.table_name, [])
                if not pending:
                    break
            if pending:
                raise errors.ServiceUnavailableError(
                    "the data store is throttling deletes; retry the request"
                )

    # -- profiles -------------------------------------------------------------------------
    def create_profile(self, item: Item) -> None:
        """Conditional Put: fails with ConflictError when the caller already has a profile."""
        with _dynamodb("PutItem"):
            try:
                self.client.put_item(
                    TableName=self.table_name,
                    Item=_to_ddb(item),
                    ConditionExpression="attribute_not_exists(pk)",
                )
            except ClientError as error:
                if _error_code(error) == "ConditionalCheckFailedException":
                    raise errors.ConflictError("a profile already exists for this user") from None
                raise

    def update_profile(
        self, user_id: str, expected_version: int, changes: Item, updated_at: str
    ) -> Item:
        """UpdateItem guarded by ``version = :expected`` (optimistic locking, no lost update)."""
        names = {"#version": "version", "#updated_at": "updated_at"}
        values: Item = {":expected": expected_version, ":one": 1, ":updated_at": updated_at}
        assignments = ["#version = #version + :one", "#updated_at = :updated_at"]
        for index, (field, value) in enumerate(sorted(changes.items())):
            names[f"#f{index}"] = field
            values[f":v{index}"] = value
            assignments.append(f"#f{index} = :v{index}")
        with _dynamodb("UpdateItem"):
            try:
                response = self.client.update_item(
                    TableName=self.table_name,
                    Key=_to_ddb({"pk": user_pk(user_id), "sk": PROFILE_SK}),
                    UpdateExpression="SET " + ", ".join(assignments),
                    ConditionExpression="attribute_exists(pk) AND #version = :expected",
                    ExpressionAttributeNames=names,
                    ExpressionAttributeValues=_to_ddb(values),
                    ReturnValues="ALL_NEW",
                )
            except ClientError as error:
                if _error_code(error) != "ConditionalCheckFailedException":
                    raise
                if self.get_item(user_pk(user_id), PROFILE_SK) is None:
                    raise errors.NotFoundError("no profile exists for this user") from None
                raise errors.ConflictError(
                    "the profile was changed by another request; reload it and retry"
                ) from None
        return _from_ddb(response["Attributes"])

    # -- sessions -------------------------------------------------------------------------
    def create_session(self, user_id: str, item: Item) -> None:
        """TransactWriteItems: ConditionCheck that the profile exists + Put of the session."""
        pk = user_pk(user_id)
        with _dynamodb("TransactWriteItems"):
            try:
                self.client.transact_write_items(
                    TransactItems=[
                        {
                            "ConditionCheck": {
                                "TableName": self.table_name,
                                "Key": _to_ddb({"pk": pk, "sk": PROFILE_SK}),
                                "ConditionExpression": "attribute_exists(pk)",
                            }
                        },
                        {
                            "Put": {
                                "TableName": self.table_name,
                                "Item": _to_ddb(item),
                                "ConditionExpression": "attribute_not_exists(pk)",
                            }
                        },
                    ]
                )
            except ClientError as error:
                if _error_code(error) == "TransactionCanceledException" and _cancelled_by_condition(
                    error
                ):
                    raise errors.NotFoundError(
                        "create a profile before registering sessions"
                    ) from None
                raise

    def delete_session(self, user_id: str, session_id: str) -> None:
        """Conditional DeleteItem: NotFoundError unless the caller owns that session."""
        with _dynamodb("DeleteItem"):
            try:
                self.client.delete_item(
                    TableName=self.table_name,
                    Key=_to_ddb({"pk": user_pk(user_id), "sk": SESSION_PREFIX + session_id}),
                    ConditionExpression="attribute_exists(pk)",
                )
            except ClientError as error:
                if _error_code(error) == "ConditionalCheckFailedException":
                    raise errors.NotFoundError("no such session") from None
                raise

    # -- transactions ---------------------------------------------------------------------
    def create_transaction(self, item: Item, guard: Item) -> Item:
        """TransactWriteItems: the transaction + a per-caller guard for its Idempotency-Key.

        The guard makes "one key, one transaction" hold even if the idempotency record were lost
        (e.g. a crash after the write): a second write with the same key returns the first
        transaction instead of creating another one.
        """
        with _dynamodb("TransactWriteItems"):
            try:
                self.client.transact_write_items(
                    TransactItems=[
                        {
                            "Put": {
                                "TableName": self.table_name,
                                "Item": _to_ddb(guard),
                                "ConditionExpression": "attribute_not_exists(pk)",
                            }
                        },
                        {
                            "Put": {
                                "TableName": self.table_name,
                                "Item": _to_ddb(item),
                                "ConditionExpression": "attribute_not_exists(pk)",
                            }
                        },
                    ]
                )
            except ClientError as error:
                if not (
                    _error_code(error) == "TransactionCanceledException"
                    and _cancelled_by_condition(error)
                ):
                    raise
                existing_guard = self.get_item(guard["pk"], guard["sk"])
                existing = (
                    self.get_item(
                        guard["pk"], TRANSACTION_PREFIX + existing_guard["transaction_id"]
                    )
                    if existing_guard
                    else None
                )
                if existing is None:  # pragma: no cover - guard and item are written together
                    raise errors.ConflictError("the transaction could not be recorded") from None
                return existing
        return item

    def query_transactions(
        self, user_id: str, limit: int, start_key: Key | None
    ) -> tuple[list[Item], Key | None]:
        """One page of Query on the caller's partition, newest first (ULIDs sort by time)."""
        request: dict[str, Any] = {
            "TableName": self.table_name,
            "KeyConditionExpression": "pk = :pk AND begins_with(sk, :prefix)",
            "ExpressionAttributeValues": _to_ddb(
                {":pk": user_pk(user_id), ":prefix": TRANSACTION_PREFIX}
            ),
            "ScanIndexForward": False,
            "Limit": limit,
        }
        if start_key is not None:
            request["ExclusiveStartKey"] = _to_ddb(start_key)
        with _dynamodb("Query"):
            response = self.client.query(**request)
        items = [_from_ddb(item) for item in response.get("Items", [])]
        last_key = response.get("LastEvaluatedKey")
        return items, ({k: str(v) for k, v in _from_ddb(last_key).items()} if last_key else None)

    # -- health ---------------------------------------------------------------------------
    def probe(self) -> None:
        """A cheap data-plane read (GetItem of a key that never exists)."""
        self.get_item("HEALTH#probe", "HEALTH#probe")

    # -- idempotency ----------------------------------------------------------------------
    def idempotency_store(self, function_name: str) -> Any:  # noqa: ANN401
        """Powertools' persistence layer on this table (its DynamoDB calls live here too)."""
        # Lazy: only the transactions function needs the idempotency utility.
        from aws_lambda_powertools.utilities.idempotency import (  # noqa: PLC0415
            DynamoDBPersistenceLayer,
        )

        return DynamoDBPersistenceLayer(
            table_name=self.table_name,
            key_attr="pk",
            sort_key_attr="sk",
            static_pk_value=f"IDEMPOTENCY#{function_name}",
            expiry_attr="expires_at",
            boto3_client=self.client,
        )


def _cancelled_by_condition(error: ClientError) -> bool:
    reasons = error.response.get("CancellationReasons") or []
    if not reasons:
        # Some emulators omit the reasons; the message still names the failed condition.
        return "ConditionalCheckFailed" in str(error)
    return any(reason.get("Code") == "ConditionalCheckFailed" for reason in reasons)
