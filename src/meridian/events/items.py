"""Reading a transaction item (DynamoDB JSON) back into domain objects.

The events publisher reads one stream ``NewImage`` per record; the repository reads the same
items from its queries. Both use this module, so what a transaction item holds is read in one
place, and the publisher's init stays free of the repository (both item models, its client
and its marshalling: bench/findings.md). The key formats come from ``meridian.keys``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

# The module TypeDeserializer comes from: its context (38 digits, Inexact and Rounded trapped) and
# its Binary, so that numbers and binaries read exactly as boto3 reads them.
from boto3.dynamodb.types import DYNAMODB_CONTEXT, Binary  # type: ignore[import-untyped]

from meridian import ids, keys
from meridian.regions import REGION_PATTERN
from meridian.transactions.model import Transaction, WrittenTransaction

Item = dict[str, Any]

_decimal = DYNAMODB_CONTEXT.create_decimal


class MalformedItemError(ValueError):
    """A stream image that claims to be a transaction (``TXN#`` sort key) but cannot be read."""


def from_ddb(item: Mapping[str, Any]) -> Item:
    """A DynamoDB JSON item (``{"S": ...}`` values) as plain Python values.

    The same values, types and errors as boto3's ``TypeDeserializer`` (a property test compares
    them: tests/unit/test_item_conversion.py), without its per-value ``getattr`` dispatch on a
    formatted method name: about a quarter of its CPU for a page of transactions
    (bench/findings.md).
    """
    plain: Item = {}
    for name, value in item.items():
        # Strings and numbers, nearly every attribute, without a call: in a one-key dict the key
        # found is the first key, the one TypeDeserializer reads.
        if type(value) is dict and len(value) == 1:
            if "S" in value:
                plain[name] = value["S"]
                continue
            if "N" in value:
                plain[name] = _decimal(value["N"])
                continue
        plain[name] = _plain(value)
    return plain


def _plain(value: Mapping[str, Any]) -> Any:  # noqa: ANN401 - any DynamoDB value
    if not value:
        raise TypeError("Value must be a nonempty dictionary whose key is a valid dynamodb type.")
    kind = next(iter(value.keys()))  # TypeDeserializer reads the first key only
    if kind == "S":
        return value["S"]
    if kind == "N":
        return _decimal(value["N"])
    # TypeDeserializer finds its method by the lowercased type ("ss" and "Ss" read as "SS").
    convert = _CONVERTERS.get(f"{kind}".lower())
    if convert is None:
        raise TypeError(f"Dynamodb type {kind} is not supported")
    return convert(value[kind])


_CONVERTERS: dict[str, Callable[[Any], Any]] = {
    "s": lambda text: text,
    "n": _decimal,
    "b": Binary,
    "ss": set,
    "ns": lambda numbers: set(map(_decimal, numbers)),
    "bs": lambda blobs: set(map(Binary, blobs)),
    "bool": lambda flag: flag,
    "null": lambda _null: None,
    "l": lambda values: [_plain(member) for member in values],
    "m": from_ddb,
}


def transaction_from_item(item: Item) -> Transaction:
    return Transaction(
        transaction_id=str(item["transaction_id"]),
        amount=Decimal(item["amount"]),
        currency=str(item["currency"]),
        type=str(item["type"]),
        status=str(item["status"]),
        created_at=str(item["created_at"]),
        reference=str(item["reference"]) if item.get("reference") else None,
    )


def written_transaction(image: Mapping[str, Any]) -> WrittenTransaction | None:
    """The transaction a DynamoDB stream record's ``NewImage`` (DynamoDB JSON) holds.

    None when the item is not a transaction (a profile, a session, an idempotency guard or
    record). A ``TXN#`` item that cannot be read raises ``MalformedItemError``: the caller
    must not skip it silently.
    """
    try:
        item = from_ddb(dict(image))
    except (TypeError, ValueError, AttributeError) as error:
        raise MalformedItemError("the image is not DynamoDB JSON") from error
    sk = item.get("sk")
    if not isinstance(sk, str) or not sk.startswith(keys.TRANSACTION_PREFIX):
        return None
    pk, region = item.get("pk"), item.get("written_region")
    if not isinstance(pk, str):
        raise MalformedItemError("the item has no partition key")
    owner = keys.owner_of(pk)
    if owner is None:
        raise MalformedItemError("the partition key names no caller")
    if not isinstance(region, str) or not REGION_PATTERN.fullmatch(region):
        raise MalformedItemError("the item has no written_region")
    try:
        transaction = transaction_from_item(item)
    except (KeyError, TypeError, ArithmeticError) as error:
        raise MalformedItemError(f"the item lacks a transaction attribute ({error})") from error
    if not ids.is_ulid(transaction.transaction_id) or sk != keys.transaction_sk(
        transaction.transaction_id
    ):
        raise MalformedItemError("the sort key and transaction_id disagree")
    return WrittenTransaction(owner=owner, transaction=transaction, written_region=region)
