"""``from_ddb`` (meridian.events.items) reads DynamoDB JSON exactly as boto3's TypeDeserializer:
same values, same types (Decimal in DynamoDB's context, set, Binary), same errors."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from boto3.dynamodb.types import Binary, TypeDeserializer
from hypothesis import given, settings
from hypothesis import strategies as st

from meridian.events.items import from_ddb

DESERIALIZER = TypeDeserializer()

TYPE_KEYS = ("S", "N", "B", "SS", "NS", "BS", "BOOL", "NULL", "L", "M")
# Numbers DynamoDB takes, and ones its context rejects (more than 38 digits, out of range) or
# reads specially (NaN, Infinity, exponents, signs).
numbers = st.one_of(
    st.decimals(allow_nan=False, allow_infinity=False).map(str),
    st.integers().map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.from_regex(r"-?[0-9]{1,45}(\.[0-9]{1,45})?([eE][+-]?[0-9]{1,4})?", fullmatch=True),
    st.text(max_size=6),
)
scalars = st.one_of(
    st.builds(lambda text: {"S": text}, st.text()),
    st.builds(lambda number: {"N": number}, numbers),
    st.builds(lambda blob: {"B": blob}, st.one_of(st.binary(), st.text(max_size=3))),
    st.builds(lambda flag: {"BOOL": flag}, st.one_of(st.booleans(), st.integers())),
    st.builds(lambda anything: {"NULL": anything}, st.one_of(st.just(True), st.none())),
    st.builds(lambda texts: {"SS": texts}, st.lists(st.text(max_size=3))),
    st.builds(lambda values: {"NS": values}, st.lists(numbers, max_size=4)),
    st.builds(lambda blobs: {"BS": blobs}, st.lists(st.binary(max_size=3), max_size=3)),
)
# What no well-formed answer holds, to compare the errors too: empty or many-key values,
# lowercase or unknown type keys, values that are not dicts.
odd_values = st.one_of(
    st.just({}),
    st.dictionaries(st.sampled_from(TYPE_KEYS), st.text(max_size=2), min_size=2, max_size=3),
    st.builds(
        lambda kind, text: {kind: text}, st.sampled_from(["s", "Ss", "n", "null"]), st.text()
    ),
    st.builds(lambda kind: {kind: "x"}, st.text(max_size=3)),
    st.one_of(st.none(), st.text(max_size=2), st.integers(), st.lists(st.integers(), max_size=2)),
)
attribute_values = st.recursive(
    st.one_of(scalars, odd_values),
    lambda children: st.one_of(
        st.builds(lambda values: {"L": values}, st.lists(children, max_size=4)),
        st.builds(
            lambda members: {"M": members},
            st.dictionaries(st.text(max_size=4), children, max_size=4),
        ),
    ),
    max_leaves=12,
)
items = st.dictionaries(st.text(max_size=6), attribute_values, max_size=6)


def comparable(value: Any) -> Any:
    """``value`` with its types spelled out (Decimal("1") and Decimal("1.0") differ, NaN equals
    NaN, True differs from Decimal(1))."""
    if isinstance(value, Decimal):
        return ("Decimal", str(value))
    if isinstance(value, Binary):
        return ("Binary", bytes(value.value))
    if isinstance(value, dict):
        return ("dict", tuple((key, comparable(member)) for key, member in value.items()))
    if isinstance(value, list):
        return ("list", tuple(comparable(member) for member in value))
    if isinstance(value, set):
        return ("set", frozenset(comparable(member) for member in value))
    return (type(value).__name__, value)


def outcome(read: Any, item: Any) -> Any:
    try:
        return ("value", comparable(read(item)))
    except Exception as error:
        return ("error", type(error))


def with_type_deserializer(item: dict[str, Any]) -> dict[str, Any]:
    return {name: DESERIALIZER.deserialize(value) for name, value in item.items()}


@settings(max_examples=400, deadline=None)
@given(items)
def test_from_ddb_equals_type_deserializer(item: dict[str, Any]) -> None:
    assert outcome(from_ddb, item) == outcome(with_type_deserializer, item)


def test_a_transaction_item_reads_as_before() -> None:
    item = {
        "pk": {"S": "USER#u1"},
        "sk": {"S": "TXN#01JAAAAAAAAAAAAAAAAAAAAAAA"},
        "amount": {"N": "12.50"},
        "tags": {"SS": ["a"]},
        "nested": {"M": {"l": {"L": [{"NULL": True}, {"BOOL": False}, {"NS": ["1", "2"]}]}}},
    }
    assert from_ddb(item) == {
        "pk": "USER#u1",
        "sk": "TXN#01JAAAAAAAAAAAAAAAAAAAAAAA",
        "amount": Decimal("12.50"),
        "tags": {"a"},
        "nested": {"l": [None, False, {Decimal(1), Decimal(2)}]},
    }
    assert outcome(from_ddb, item) == outcome(with_type_deserializer, item)
