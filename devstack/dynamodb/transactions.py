"""TransactWriteItems at a cost that does not grow with the table.

moto 5.2.1 (``DynamoDBBackend.transact_write_items``) deep-copies every table a transaction
names before it starts, to roll back by swapping the copy in: each transaction costs a copy of
the whole table, which made ``POST /transactions`` slower with every item the test suites had
written (90 % of the emulator's time under load, issue 15). This does what that method does,
with a rollback of only the items the transaction touches:

1. moto's own request validation (the checks of ``DynamoHandler.transact_write_items``, with the
   same moto functions), then every condition evaluated against the items as they are, before
   anything is written: all conditions of a transaction are checked against the state before it
   (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactWriteItems.html);
2. the writes, through the backend's own ``put_item`` / ``update_item`` / ``delete_item`` (what
   moto's method calls);
3. a write that fails restores the touched items and the table's stream as they were.

Whenever the transaction would not succeed (invalid request, a failed condition, a failed
write), :func:`transact_write` answers None *without having changed anything*, and the caller
hands the request to moto, which answers exactly as it always did (its error codes, messages and
cancellation reasons). Callers hold the DynamoDB filler's write lock, so no other write runs in
between (moto itself has no lock: without ours, reads are not isolated from a transaction in
either implementation).
"""

from __future__ import annotations

import copy
import json
import uuid
import zlib
from typing import Any, cast

from moto.dynamodb.comparisons import create_condition_expression_parser, get_filter_expression
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.table import Table
from moto.dynamodb.parsing.expressions import (  # type: ignore[attr-defined]
    ExpressionAttributeName,
    UpdateExpressionParser,
)
from moto.dynamodb.responses import validate_attributes_used, validate_put_has_empty_keys

from devstack.wsgi import Response

MAX_ITEMS = 100  # moto's TooManyTransactionsException: left to moto
_OPERATIONS = ("ConditionCheck", "Put", "Delete", "Update")
_EMPTY_KEY_MESSAGE = (
    "One or more parameter values are not valid. The AttributeValue for a key attribute "
    "cannot contain an empty string value. Key: {}"
)


def _key_of(table: Table, op_type: str, op: dict[str, Any]) -> dict[str, Any]:
    if op_type != "Put":
        return dict(op["Key"])
    attrs = op["Item"]
    key = {table.hash_key_attr: attrs[table.hash_key_attr]}
    if table.range_key_attr is not None:
        key[table.range_key_attr] = attrs[table.range_key_attr]
    return key


def _validate(backend: DynamoDBBackend, op_type: str, op: dict[str, Any]) -> None:
    """``DynamoHandler.transact_write_items``'s checks, in its order (raises when invalid)."""
    names = op.get("ExpressionAttributeNames", {})
    parser = create_condition_expression_parser(
        op.get("ConditionExpression"), names, op.get("ExpressionAttributeValues", {})
    )
    parser.parse()
    names_used = list(parser.expr_attr_names_found)
    if op_type in ("Put", "Update") and op.get("ExpressionAttributeValues") == {}:
        raise ValueError("ExpressionAttributeValues must not be empty")
    if op_type == "Put":
        validate_put_has_empty_keys(op["Item"], backend.get_table(op["TableName"]))
    if op_type == "Update":
        table = backend.get_table(op["TableName"])
        validate_put_has_empty_keys(op["Key"], table, custom_error_msg=_EMPTY_KEY_MESSAGE)
        tree = UpdateExpressionParser.make(op["UpdateExpression"])
        names_used += [
            name.get_attribute_name_placeholder()
            for name in tree.find_clauses([ExpressionAttributeName])
        ]
    validate_attributes_used(names, names_used)


Plan = list[tuple[str, dict[str, Any], Table, dict[str, Any]]]


def transact_write(backend: DynamoDBBackend, document: dict[str, Any]) -> Response | None:
    """Apply the transaction and answer it, or None (nothing changed: let moto answer)."""
    try:
        plan = _plan(backend, document)
        if plan is None or not _conditions_hold(backend, plan):
            return None  # moto's own answer (a TransactionCanceledException with its reasons)
    except Exception:  # an invalid request: moto's answer (its validation, before any write)
        return None
    before = [
        (table, key, copy.deepcopy(backend.get_item(table.name, key))) for _, _, table, key in plan
    ]
    streams = {table.name: _stream_length(table) for _, _, table, _ in plan}
    try:
        for op_type, op, table, key in plan:
            _write(backend, op_type, op, table.name, key)
    except Exception:
        _restore(backend, before, streams)
        return None
    return _ok()


def _plan(backend: DynamoDBBackend, document: dict[str, Any]) -> Plan | None:
    """The validated operations with their tables and keys; None for what moto must answer."""
    entries = document.get("TransactItems")
    if not isinstance(entries, list) or not 0 < len(entries) <= MAX_ITEMS:
        return None
    plan: Plan = []
    seen: set[tuple[str, str]] = set()
    for entry in entries:
        if not isinstance(entry, dict) or len(entry) != 1:
            return None
        op_type, op = next(iter(entry.items()))
        if op_type not in _OPERATIONS:
            return None
        _validate(backend, op_type, op)
        table = backend.get_table(op["TableName"])
        key = _key_of(table, op_type, op)
        identity = (table.name, json.dumps(key, sort_keys=True))
        if identity in seen:
            return None  # moto's MultipleTransactionsException
        seen.add(identity)
        plan.append((op_type, op, table, key))
    return plan


def _conditions_hold(backend: DynamoDBBackend, plan: Plan) -> bool:
    """Every condition, against the state before the transaction."""
    for _op_type, op, table, key in plan:
        condition = op.get("ConditionExpression")
        if condition is None:
            continue
        expression = get_filter_expression(
            condition, op.get("ExpressionAttributeNames"), op.get("ExpressionAttributeValues")
        )
        if not expression.expr(backend.get_item(table.name, key)):
            return False
    return True


def _write(
    backend: DynamoDBBackend, op_type: str, op: dict[str, Any], table_name: str, key: dict[str, Any]
) -> None:
    names = op.get("ExpressionAttributeNames")
    values = op.get("ExpressionAttributeValues")
    condition = op.get("ConditionExpression")
    if op_type == "Put":
        backend.put_item(
            table_name,
            op["Item"],
            condition_expression=condition,
            expression_attribute_names=names,
            expression_attribute_values=values,
        )
    elif op_type == "Delete":
        backend.delete_item(
            table_name,
            key,
            condition_expression=condition,
            expression_attribute_names=names,
            expression_attribute_values=values,
        )
    elif op_type == "Update":
        backend.update_item(
            table_name,
            key,
            update_expression=op["UpdateExpression"],
            condition_expression=condition,
            # As moto's own transaction passes them (None when absent).
            expression_attribute_names=cast("dict[str, Any]", names),
            expression_attribute_values=cast("dict[str, Any]", values),
        )


def _stream_length(table: Table) -> int | None:
    shard = table.stream_shard
    return None if shard is None else len(shard.items)


def _restore(
    backend: DynamoDBBackend,
    before: list[tuple[Table, dict[str, Any], Any]],
    streams: dict[str, int | None],
) -> None:
    """Put the touched items (and the stream records the writes added) back as they were."""
    for table, key, item in reversed(before):
        hash_key, range_key = backend.get_keys_value(table, key)
        partition = table.items.get(hash_key)
        if table.range_key_attr is None:
            if item is None:
                table.items.pop(hash_key, None)
            else:
                table.items[hash_key] = item
            continue
        if item is None:
            if partition is not None:
                partition.pop(range_key, None)
        else:
            table.items[hash_key][range_key] = item
    for table, _key, _item in before:
        length = streams.get(table.name)
        if length is not None and table.stream_shard is not None:
            del table.stream_shard.items[length:]


def _ok() -> Response:
    # What DynamoDB answers without ReturnConsumedCapacity / ReturnItemCollectionMetrics.
    body = b"{}"
    return Response(
        200,
        [
            ("Content-Type", "application/x-amz-json-1.0"),
            ("x-amzn-RequestId", str(uuid.uuid4())),
            # botocore checks DynamoDB bodies against it.
            ("x-amz-crc32", str(zlib.crc32(body) & 0xFFFFFFFF)),
        ],
        body,
    )
