"""WAFv2 rule statements, evaluated against one request (the JSON shapes of the WAFv2 API).

Covers what this stack's web ACLs use, and the statements around them that cost nothing to
get right: ``ByteMatchStatement`` (every positional constraint), ``SizeConstraintStatement``,
``AndStatement`` / ``OrStatement`` / ``NotStatement``, with the fields to match ``UriPath``,
``QueryString``, ``SingleHeader``, ``Method``, ``Body``, ``SingleQueryArgument``,
``AllQueryArguments`` and the text transformations listed in ``TRANSFORMATIONS``.
Sources:
https://docs.aws.amazon.com/waf/latest/developerguide/waf-rule-statement-type-string-match.html
https://docs.aws.amazon.com/waf/latest/developerguide/waf-rule-statement-fields-list.html
https://docs.aws.amazon.com/waf/latest/developerguide/waf-rule-statement-transformation.html
https://docs.aws.amazon.com/waf/latest/developerguide/waf-rule-statement-type-size-constraint-match.html

Anything else raises ``UnsupportedStatementError``: the gate logs it and lets the rule not match,
so an unknown statement is visible in the devstack log instead of silently "emulated".
"""

from __future__ import annotations

import base64
import binascii
import html
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, unquote, unquote_plus

# WAF inspects at most the first 8 KB of a body behind CloudFront and API Gateway (the default
# body inspection size limit): https://docs.aws.amazon.com/waf/latest/developerguide/web-request-body-inspection.html
BODY_INSPECTION_LIMIT = 8 * 1024


class UnsupportedStatementError(ValueError):
    """A statement, field or transformation the devstack does not evaluate."""


@dataclass(frozen=True)
class Inspected:
    """The parts of a request a statement can look at (header names lower-cased)."""

    method: str
    uri_path: str
    query_string: str
    headers: tuple[tuple[str, str], ...]
    body: bytes

    def header(self, name: str) -> str | None:
        wanted = name.lower()
        for key, value in self.headers:
            if key.lower() == wanted:
                return value
        return None

    def query_arguments(self) -> list[tuple[str, str]]:
        return parse_qsl(self.query_string, keep_blank_values=True)


def _compress_white_space(value: str) -> str:
    return re.sub(r"[ \t\n\r\f\v]+", " ", value)


def _url_decode(value: str) -> str:
    return unquote_plus(value)


def _url_decode_uni(value: str) -> str:
    decoded = re.sub(r"%u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), value)
    return unquote(decoded)


TRANSFORMATIONS: Mapping[str, Callable[[str], str]] = {
    "NONE": lambda value: value,
    "LOWERCASE": str.lower,
    "URL_DECODE": _url_decode,
    "URL_DECODE_UNI": _url_decode_uni,
    "HTML_ENTITY_DECODE": html.unescape,
    "COMPRESS_WHITE_SPACE": _compress_white_space,
    "TRIM": str.strip,
}


def transform(value: str, transformations: list[dict[str, Any]]) -> str:
    """Apply the statement's text transformations in ascending priority."""
    for item in sorted(transformations or [], key=lambda t: int(t.get("Priority", 0))):
        kind = str(item.get("Type", "NONE"))
        function = TRANSFORMATIONS.get(kind)
        if function is None:
            raise UnsupportedStatementError(f"text transformation {kind}")
        value = function(value)
    return value


def field_values(field: Mapping[str, Any], request: Inspected) -> list[str]:  # noqa: PLR0911
    """The values a FieldToMatch selects (empty when the component is absent)."""
    if "UriPath" in field:
        return [request.uri_path]
    if "QueryString" in field:
        return [request.query_string]
    if "Method" in field:
        return [request.method]
    if "SingleHeader" in field:
        value = request.header(str(field["SingleHeader"]["Name"]))
        return [] if value is None else [value]
    if "SingleQueryArgument" in field:
        wanted = str(field["SingleQueryArgument"]["Name"]).lower()
        return [v for k, v in request.query_arguments() if k.lower() == wanted]
    if "AllQueryArguments" in field:
        return [v for _, v in request.query_arguments()]
    if "Body" in field:
        return [request.body[:BODY_INSPECTION_LIMIT].decode("utf-8", errors="replace")]
    raise UnsupportedStatementError(f"field to match {sorted(field)}")


def _search_string(statement: Mapping[str, Any]) -> str:
    """``SearchString`` is a blob: the JSON API carries it base64-encoded."""
    raw = str(statement.get("SearchString", ""))
    try:
        return base64.b64decode(raw, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return raw


def _positional_match(value: str, search: str, constraint: str) -> bool:
    if constraint == "EXACTLY":
        return value == search
    if constraint == "STARTS_WITH":
        return value.startswith(search)
    if constraint == "ENDS_WITH":
        return value.endswith(search)
    if constraint == "CONTAINS":
        return search in value
    if constraint == "CONTAINS_WORD":
        # "word" characters are A-Z, a-z, 0-9 and _ (the string-match page).
        pattern = r"(?<![A-Za-z0-9_])" + re.escape(search) + r"(?![A-Za-z0-9_])"
        return re.search(pattern, value) is not None
    raise UnsupportedStatementError(f"positional constraint {constraint}")


_COMPARISONS: Mapping[str, Callable[[int, int], bool]] = {
    "EQ": lambda a, b: a == b,
    "NE": lambda a, b: a != b,
    "LE": lambda a, b: a <= b,
    "LT": lambda a, b: a < b,
    "GE": lambda a, b: a >= b,
    "GT": lambda a, b: a > b,
}


def matches(statement: Mapping[str, Any], request: Inspected) -> bool:
    """Does ``statement`` (one WAFv2 Statement object) match the request?"""
    if "ByteMatchStatement" in statement:
        inner = statement["ByteMatchStatement"]
        search = _search_string(inner)
        constraint = str(inner.get("PositionalConstraint", "CONTAINS"))
        transformations = list(inner.get("TextTransformations") or [])
        return any(
            _positional_match(transform(value, transformations), search, constraint)
            for value in field_values(inner.get("FieldToMatch") or {}, request)
        )
    if "SizeConstraintStatement" in statement:
        inner = statement["SizeConstraintStatement"]
        compare = _COMPARISONS.get(str(inner.get("ComparisonOperator")))
        if compare is None:
            raise UnsupportedStatementError(f"comparison {inner.get('ComparisonOperator')}")
        field = inner.get("FieldToMatch") or {}
        if "Body" in field:  # size of the whole body, not only the inspected part
            sizes = [len(request.body)]
        else:
            transformations = list(inner.get("TextTransformations") or [])
            sizes = [
                len(transform(v, transformations).encode()) for v in field_values(field, request)
            ]
        return any(compare(size, int(inner.get("Size", 0))) for size in sizes)
    if "AndStatement" in statement:
        return all(matches(s, request) for s in statement["AndStatement"]["Statements"])
    if "OrStatement" in statement:
        return any(matches(s, request) for s in statement["OrStatement"]["Statements"])
    if "NotStatement" in statement:
        return not matches(statement["NotStatement"]["Statement"], request)
    raise UnsupportedStatementError(f"statement {sorted(statement)}")
