"""Request-body validation with the shared JSON schemas (``schemas/*.json``, the same documents
API Gateway embeds as models), each compiled with fastjsonschema on first use.

Lazy on purpose (measured by ``make bench``): importing fastjsonschema and compiling every schema
at import cost the cold start of every function 40-80 ms, including the health function, which
validates no body; now a function pays only for the schemas its first requests use.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from meridian.errors import ValidationError

SCHEMA_DIR = Path(__file__).resolve().parent / "schemas"
SCHEMA_NAMES = ("profile_create", "profile_update", "session_create", "transaction_create")


@functools.cache
def _compile(name: str) -> Callable[[Any], Any]:
    if name not in SCHEMA_NAMES:
        raise KeyError(name)
    import fastjsonschema  # noqa: PLC0415 - lazy, see the module docstring

    schema = json.loads((SCHEMA_DIR / f"{name}.json").read_text(encoding="utf-8"))
    validator: Callable[[Any], Any] = fastjsonschema.compile(schema)
    return validator


def validate(schema_name: str, document: Any) -> dict[str, Any]:  # noqa: ANN401 - any JSON value
    """Return ``document`` if it matches the schema, else raise ValidationError naming the field."""
    validator = _compile(schema_name)
    import fastjsonschema  # noqa: PLC0415 - loaded by _compile already: a dict lookup

    try:
        validator(document)
    except fastjsonschema.JsonSchemaValueException as error:
        # error.name is "data.field" (or "data" for the document itself); the message says why.
        name = str(error.name or "data")
        field = name.removeprefix("data").lstrip(".") or "body"
        message = str(error.message).replace(name, field, 1)
        raise ValidationError(f"invalid request body: {message}") from None
    if not isinstance(document, dict):  # pragma: no cover - every schema demands an object
        raise ValidationError("request body must be a JSON object")
    return document
