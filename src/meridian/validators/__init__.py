"""Request-body validators generated from ``meridian/schemas/*.json`` by fastjsonschema's
``compile_to_code`` into ``meridian.validators.generated`` (``scripts/generate_validators.py``;
a unit test fails when one is stale).

Generated ahead of time, not at the first request (issue 15, bench/findings.md): importing
fastjsonschema and compiling a schema at run time cost ~30 ms CPU of a cold start; a generated
module ships with its bytecode and imports in a few milliseconds, and fastjsonschema stays a
build-time tool (never in a Lambda zip). The generated modules raise the exception below, which
takes the arguments of fastjsonschema's ``JsonSchemaValueException``.
"""

from __future__ import annotations

from typing import Any


class JsonSchemaValueException(ValueError):  # noqa: N818 - the generated code's name for it
    """A document does not match its schema: ``name`` is the path (``data.field``), ``message``
    says why, ``rule`` is the schema keyword that failed."""

    def __init__(
        self,
        message: str,
        value: Any = None,  # noqa: ANN401 - any JSON value
        name: str | None = None,
        definition: Any = None,  # noqa: ANN401 - the failing part of the schema
        rule: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.value = value
        self.name = name
        self.definition = definition
        self.rule = rule


# compile_to_code also names this one (for "contains"-style keywords none of our schemas use).
JsonSchemaValuesException = JsonSchemaValueException
