"""Request-body validation with the shared JSON schemas (``schemas/*.json``, the same documents
API Gateway embeds as models), compiled once at import with fastjsonschema."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import fastjsonschema

from meridian.errors import ValidationError

SCHEMA_DIR = Path(__file__).resolve().parent / "schemas"
SCHEMA_NAMES = ("profile_create", "profile_update", "session_create", "transaction_create")


def _compile(name: str) -> Callable[[Any], Any]:
    schema = json.loads((SCHEMA_DIR / f"{name}.json").read_text(encoding="utf-8"))
    validator: Callable[[Any], Any] = fastjsonschema.compile(schema)
    return validator


_VALIDATORS: dict[str, Callable[[Any], Any]] = {name: _compile(name) for name in SCHEMA_NAMES}


def validate(schema_name: str, document: Any) -> dict[str, Any]:  # noqa: ANN401 - any JSON value
    """Return ``document`` if it matches the schema, else raise ValidationError naming the field."""
    try:
        _VALIDATORS[schema_name](document)
    except fastjsonschema.JsonSchemaValueException as error:
        # error.name is "data.field" (or "data" for the document itself); the message says why.
        name = str(error.name or "data")
        field = name.removeprefix("data").lstrip(".") or "body"
        message = str(error.message).replace(name, field, 1)
        raise ValidationError(f"invalid request body: {message}") from None
    if not isinstance(document, dict):  # pragma: no cover - every schema demands an object
        raise ValidationError("request body must be a JSON object")
    return document
