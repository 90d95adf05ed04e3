"""The public shape of a stored transaction (shared by the transactions and export routes)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from meridian.money import format_amount
from meridian.repository import Item


def transaction_view(item: Item) -> dict[str, Any]:
    view: dict[str, Any] = {
        "transaction_id": item["transaction_id"],
        "amount": format_amount(Decimal(item["amount"]), str(item["currency"])),
        "currency": item["currency"],
        "type": item["type"],
        "status": item["status"],
        "created_at": item["created_at"],
    }
    if item.get("reference"):
        view["reference"] = item["reference"]
    return view
