"""Typed domain objects of the transactions function."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from meridian.identity import Caller
from meridian.money import format_amount


@dataclass(frozen=True, slots=True)
class Transaction:
    transaction_id: str
    amount: Decimal
    currency: str
    type: str
    status: str
    created_at: str
    reference: str | None = None

    def view(self) -> dict[str, Any]:
        view: dict[str, Any] = {
            "transaction_id": self.transaction_id,
            "amount": format_amount(self.amount, self.currency),
            "currency": self.currency,
            "type": self.type,
            "status": self.status,
            "created_at": self.created_at,
        }
        if self.reference:
            view["reference"] = self.reference
        return view


@dataclass(frozen=True, slots=True)
class TransactionPage:
    items: list[Transaction]
    next_cursor: str | None


@dataclass(frozen=True, slots=True)
class WrittenTransaction:
    """A transaction as a table item holds it, with its owner and the region that took the write
    (read from a DynamoDB stream record's NewImage by the repository)."""

    owner: Caller
    transaction: Transaction
    written_region: str
