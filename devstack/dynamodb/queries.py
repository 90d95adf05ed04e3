"""Query on a table's own key at the cost of the queried partition, not of the whole table.

moto 5.2.1 answers a Query on a table (``Table.query``, no index) by sorting every item of the
table (``Table.all_items``) and keeping those of the partition: each Query cost grew with
everything the test suites had written (``GET /transactions`` spent over half the emulator's time
there, issue 15). While moto answers such a Query, :func:`partition_view` leaves the table
holding only the queried partition, so moto's own code (its key conditions, order, paging,
filters, projections, limits and errors) runs on exactly the items the answer can contain.

The caller holds the DynamoDB filler's lock, which every DynamoDB request, the replication and
the TTL sweeper take: nothing else reads or writes the table meanwhile.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.dynamo_type import DynamoType
from moto.dynamodb.parsing.key_condition_expression import parse_expression


def _queried_partition(backend: DynamoDBBackend, document: dict[str, Any]) -> Any | None:  # noqa: ANN401 - moto's table
    """The table and hash key of a Query on the table's own key, or None (any other request)."""
    expression = document.get("KeyConditionExpression")
    if document.get("IndexName") or not isinstance(expression, str):
        return None
    table = backend.tables.get(str(document.get("TableName", "")))
    if table is None:
        return None
    try:
        hash_conditions, _, _ = parse_expression(
            key_condition_expression=expression,
            expression_attribute_values=document.get("ExpressionAttributeValues", {}),
            expression_attribute_names=document.get("ExpressionAttributeNames", {}),
            schema=table.schema,
        )
    except Exception:  # an invalid expression: moto answers it, on the whole table
        return None
    values = [value for name, value in hash_conditions if name == table.hash_key_attr]
    if len(values) != 1 or len(hash_conditions) != 1:
        return None
    return table, DynamoType(values[0])


@contextmanager
def partition_view(backend: DynamoDBBackend, document: dict[str, Any]) -> Iterator[None]:
    """Within the block, a Query's table holds only the queried partition (then all again)."""
    found = _queried_partition(backend, document)
    if found is None:
        yield
        return
    table, hash_key = found
    items = table.items
    view: defaultdict[Any, Any] = defaultdict(dict)
    if hash_key in items:
        view[hash_key] = items[hash_key]
    table.items = view
    try:
        yield
    finally:
        table.items = items
