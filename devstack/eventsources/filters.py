"""``FilterCriteria`` of an event source mapping: does a record go to the function?

Lambda's event filtering uses the EventBridge pattern syntax (equality lists, ``prefix``,
``suffix``, ``anything-but``, ``numeric``, ``exists``, ``equals-ignore-case``, ``wildcard``,
``$or``); a record is sent when it matches ANY of the mapping's filters, and records matching none
are dropped (https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventfiltering.html). For
DynamoDB the pattern is matched against the record as the function receives it, so image values
keep their DynamoDB JSON type keys (``{"dynamodb": {"NewImage": {"sk": {"S": [...]}}}}``).

The matcher is moto's own, public ``moto.events.models.EventPattern`` (``load`` +
``matches_event``): maintained with moto, and already what EventBridge rules use in this
emulator, rather than a hand-written parser.
"""

from __future__ import annotations

import json
from typing import Any

from moto.events.models import EventPattern


class RecordFilter:
    """The compiled filters of one mapping; no filters = every record passes."""

    def __init__(self, filter_criteria: dict[str, Any] | None) -> None:
        filters = (filter_criteria or {}).get("Filters") or []
        self._patterns = [
            EventPattern.load(str(entry.get("Pattern") or "{}"))
            for entry in filters
            if isinstance(entry, dict)
        ]

    def matches(self, record: dict[str, Any]) -> bool:
        if not self._patterns:
            return True
        event = json.loads(json.dumps(record, default=str))
        return any(pattern.matches_event(event) for pattern in self._patterns)
