"""Byte-match, size and logical statements with their text transformations (WAFv2 JSON shapes)."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from devstack.waf.statements import Inspected, UnsupportedStatementError, matches

REQUEST = Inspected(
    method="POST",
    uri_path="/v1/Profiles/me",
    query_string="name=Ada%20Lovelace&limit=10",
    headers=(("User-Agent", "pytest"), ("X-Origin-Verify", "s3cret")),
    body=b'{"a": 1}',
)


def byte_match(search: str, field: dict[str, Any], constraint: str, *types: str) -> dict[str, Any]:
    return {
        "ByteMatchStatement": {
            # The WAFv2 JSON API carries the SearchString blob base64-encoded.
            "SearchString": base64.b64encode(search.encode()).decode(),
            "FieldToMatch": field,
            "PositionalConstraint": constraint,
            "TextTransformations": [
                {"Priority": i, "Type": t} for i, t in enumerate(types or ("NONE",))
            ],
        }
    }


@pytest.mark.parametrize(
    ("search", "constraint", "expected"),
    [
        ("/v1/Profiles/me", "EXACTLY", True),
        ("/v1/profiles/me", "EXACTLY", False),
        ("/v1/", "STARTS_WITH", True),
        ("/me", "ENDS_WITH", True),
        ("Profiles", "CONTAINS", True),
        ("Profiles", "CONTAINS_WORD", True),
        ("Profile", "CONTAINS_WORD", False),
    ],
)
def test_positional_constraints(search: str, constraint: str, expected: bool) -> None:
    assert matches(byte_match(search, {"UriPath": {}}, constraint), REQUEST) is expected


def test_transformations_apply_in_priority_order() -> None:
    assert matches(byte_match("/v1/profiles/me", {"UriPath": {}}, "EXACTLY", "LOWERCASE"), REQUEST)
    query = {"QueryString": {}}
    assert matches(
        byte_match("name=ada lovelace", query, "STARTS_WITH", "URL_DECODE", "LOWERCASE"), REQUEST
    )
    assert not matches(byte_match("name=Ada Lovelace", query, "STARTS_WITH"), REQUEST)


def test_single_header_and_query_argument_fields() -> None:
    header = {"SingleHeader": {"Name": "x-origin-verify"}}
    assert matches(byte_match("s3cret", header, "EXACTLY"), REQUEST)
    missing = {"SingleHeader": {"Name": "x-other"}}
    assert not matches(byte_match("", missing, "CONTAINS"), REQUEST)
    argument = {"SingleQueryArgument": {"Name": "LIMIT"}}
    assert matches(byte_match("10", argument, "EXACTLY"), REQUEST)


def test_logical_statements() -> None:
    yes = byte_match("/v1/", {"UriPath": {}}, "STARTS_WITH")
    no = byte_match("/v2/", {"UriPath": {}}, "STARTS_WITH")
    assert matches({"AndStatement": {"Statements": [yes, yes]}}, REQUEST)
    assert not matches({"AndStatement": {"Statements": [yes, no]}}, REQUEST)
    assert matches({"OrStatement": {"Statements": [no, yes]}}, REQUEST)
    assert matches({"NotStatement": {"Statement": no}}, REQUEST)


def test_size_constraint() -> None:
    statement = {
        "SizeConstraintStatement": {
            "FieldToMatch": {"Body": {}},
            "ComparisonOperator": "GT",
            "Size": 7,
            "TextTransformations": [{"Priority": 0, "Type": "NONE"}],
        }
    }
    assert matches(statement, REQUEST)
    statement["SizeConstraintStatement"]["Size"] = 8
    assert not matches(statement, REQUEST)


def test_statements_the_devstack_does_not_evaluate_are_reported() -> None:
    with pytest.raises(UnsupportedStatementError):
        matches({"GeoMatchStatement": {"CountryCodes": ["US"]}}, REQUEST)
    with pytest.raises(UnsupportedStatementError):
        matches(byte_match("x", {"UriPath": {}}, "EXACTLY", "BASE64_DECODE"), REQUEST)
