"""The ``transaction.created`` v1 event (schema: infra/api/events/transaction.created.v1.json).

What it carries is deliberately small: ids, money, time and the region that took the write.
Never the free-text ``reference`` and never personal data; the owner is the namespaced caller id
(``user:<sub>`` or ``partner:<name>``), a pseudonymous identifier the API already hands out.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any

from meridian.money import format_amount
from meridian.transactions.model import WrittenTransaction

EVENT_TYPE = "transaction.created"
EVENT_VERSION = 1
# Fixed namespace of Meridian's event ids (a UUIDv4 drawn once): event_id = UUIDv5(namespace,
# "<event type>/v<version>/<transaction id>"), so every retry, replay or republish of the same
# transaction carries the same id and subscribers deduplicate on it.
EVENT_ID_NAMESPACE = uuid.UUID("6f1c3f0e-93a4-4e0b-9a52-2f8d54b8e1c7")


def event_id_for(transaction_id: str) -> str:
    """The deterministic event id of a transaction's ``transaction.created`` v1 event."""
    return str(uuid.uuid5(EVENT_ID_NAMESPACE, f"{EVENT_TYPE}/v{EVENT_VERSION}/{transaction_id}"))


@dataclass(frozen=True, slots=True)
class TransactionCreated:
    event_id: str
    region: str
    transaction_id: str
    owner: str
    amount: str
    currency: str
    type: str
    created_at: str

    @classmethod
    def from_written(cls, written: WrittenTransaction) -> TransactionCreated:
        transaction = written.transaction
        return cls(
            event_id=event_id_for(transaction.transaction_id),
            region=written.written_region,
            transaction_id=transaction.transaction_id,
            owner=f"{written.owner.kind}:{written.owner.id}",
            amount=format_amount(transaction.amount, transaction.currency),
            currency=transaction.currency,
            type=transaction.type,
            created_at=transaction.created_at,
        )

    def document(self) -> dict[str, Any]:
        return {
            "event_type": EVENT_TYPE,
            "event_version": EVENT_VERSION,
            "event_id": self.event_id,
            "occurred_at": self.created_at,
            "region": self.region,
            "data": {
                "transaction_id": self.transaction_id,
                "owner": self.owner,
                "amount": self.amount,
                "currency": self.currency,
                "type": self.type,
                "created_at": self.created_at,
            },
        }

    def to_json(self) -> str:
        """Compact, key-sorted JSON: the same event always serialises to the same bytes."""
        return json.dumps(self.document(), separators=(",", ":"), sort_keys=True)

    def message_attributes(self) -> dict[str, dict[str, str]]:
        """SNS message attributes (String), what subscription filter policies match on."""
        return {
            name: {"DataType": "String", "StringValue": value}
            for name, value in (
                ("event_type", EVENT_TYPE),
                ("currency", self.currency),
                ("type", self.type),
            )
        }
