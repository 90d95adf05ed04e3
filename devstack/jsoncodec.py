"""JSON written in the emulator's per-request hot paths, by orjson.

Every stage request crosses the emulator's single GIL several times as JSON: the function's
DynamoDB answer (a 20-item Query page), the Lambda proxy event (~3 KB), the frames to and from
the Lambda worker (the invocation, the function's AWS call and its answer, the result) and the
proxy response. The standard library's encoder was ~9 % of the emulator's GIL-holding samples
under load (issue 15); orjson (a maintained Rust extension, cp313 wheels) writes the same
documents ~10x faster (``python -m bench.json_codec``).

What differs from ``json.dumps``: the text is compact (no space after ``,`` and ``:``) and
non-ASCII characters are written as UTF-8 instead of ``\\uXXXX`` escapes. Both are the same JSON
text to a reader (RFC 8259: insignificant whitespace around structural characters; JSON text
exchanged between systems is UTF-8, https://www.rfc-editor.org/rfc/rfc8259#section-8.1).
Whatever orjson refuses (a string with a lone surrogate, an integer beyond 64 bits, a key that
is not a string) is written by ``json.dumps`` as before, so no document that used to be written
now fails. One value is written differently: a float NaN or infinity is ``null`` (``json.dumps``
writes ``NaN`` / ``Infinity``, which are not JSON); and orjson writes datetimes, dataclasses and
UUIDs itself where ``json`` would call ``default``. None of these documents holds such a value.

Reading stays with ``json.loads``: orjson reads an integer beyond 64 bits as a float, silently
(``18446744073709551616`` → ``1.8446744073709552e+19``), and reading is where it gains least.

The Lambda worker (``devstack/runtime/_worker_main.py``) runs in the function's environment and
imports only the standard library: it reads and writes these frames with ``json``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import orjson


def dumps(document: object, default: Callable[[Any], Any] | None = None) -> bytes:
    """``document`` as compact UTF-8 JSON text; ``default`` as for ``json.dumps``."""
    try:
        return orjson.dumps(document, default=default)
    except orjson.JSONEncodeError:
        return json.dumps(document, default=default).encode()
