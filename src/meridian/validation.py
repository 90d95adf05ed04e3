"""Request-body validation with the shared JSON schemas (``schemas/*.json``, the same documents
API Gateway embeds as models), each through its validator generated ahead of time by
fastjsonschema (``meridian.validators``), imported on first use.

Lazy on purpose (measured by ``make bench``): a function pays only for the validators its first
requests use (health validates no body). Generated ahead of time because importing fastjsonschema
and compiling one schema at the first request cost ~30 ms CPU (bench/findings.md).
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable
from typing import Any

from meridian.errors import ValidationError
from meridian.validators import JsonSchemaValueException

SCHEMA_NAMES = ("profile_create", "profile_update", "session_create", "transaction_create")


@functools.cache
def _validator(name: str) -> Callable[[Any], Any]:
    """The schema's generated ``validate`` (imported on first use, see the module docstring)."""
    if name not in SCHEMA_NAMES:
        raise KeyError(name)
    module = importlib.import_module(f"meridian.validators.generated.{name}")
    validator: Callable[[Any], Any] = module.validate
    return validator


def validate(schema_name: str, document: Any) -> dict[str, Any]:  # noqa: ANN401 - any JSON value
    """Return ``document`` if it matches the schema, else raise ValidationError naming the field."""
    validator = _validator(schema_name)
    try:
        validator(document)
    except JsonSchemaValueException as error:
        # error.name is "data.field" (or "data" for the document itself); the message says why.
        name = str(error.name or "data")
        field = name.removeprefix("data").lstrip(".") or "body"
        message = str(error.message).replace(name, field, 1)
        raise ValidationError(f"invalid request body: {message}") from None
    if not isinstance(document, dict):  # pragma: no cover - every schema demands an object
        raise ValidationError("request body must be a JSON object")
    return document
