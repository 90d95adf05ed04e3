"""devstack.jsoncodec: the emulator's hot-path JSON writer (orjson), with json's text for what
orjson refuses, so no document the emulator wrote with ``json`` is now refused."""

from __future__ import annotations

import json
import math
from decimal import Decimal

import pytest

from devstack import jsoncodec


def test_writes_compact_utf8_json() -> None:
    document = {"name": "Zoë ✓", "items": [1, 2.5, True, None], "nested": {"S": "x"}}
    written = jsoncodec.dumps(document)
    assert written == '{"name":"Zoë ✓","items":[1,2.5,true,null],"nested":{"S":"x"}}'.encode()
    assert json.loads(written) == document


def test_default_turns_unknown_values_into_json() -> None:
    written = jsoncodec.dumps({"n": Decimal("1.5")}, default=float)
    assert json.loads(written) == {"n": 1.5}


@pytest.mark.parametrize(
    "document",
    [
        {"S": "lone \ud800 surrogate"},  # not UTF-8: orjson refuses it, json escapes it
        {"big": 2**70},  # beyond 64 bits
        {1: "integer key", None: "null key"},  # json writes such keys as strings
    ],
    ids=["lone-surrogate", "big-integer", "non-string-keys"],
)
def test_what_orjson_refuses_is_written_as_json_wrote_it(document: object) -> None:
    assert jsoncodec.dumps(document) == json.dumps(document).encode()


def test_a_value_neither_knows_is_still_a_type_error() -> None:
    with pytest.raises(TypeError):
        jsoncodec.dumps({"value": object()})


def test_non_finite_floats_are_written_as_null() -> None:
    # Not JSON (RFC 8259 section 6); json.dumps writes NaN / Infinity, which strict readers refuse.
    assert jsoncodec.dumps([math.nan, math.inf]) == b"[null,null]"
