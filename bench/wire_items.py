"""DynamoDB items on the wire, shared by the benchmarks that build them."""

from __future__ import annotations

from typing import Any


def transaction_item(pk: str, index: int) -> dict[str, Any]:
    """A transaction item on the wire, as src/meridian/repository.py writes it."""
    return {
        "pk": {"S": pk},
        "sk": {"S": f"TXN#{index:026d}"},
        "amount": {"N": "1.25"},
        "currency": {"S": "EUR"},
        "type": {"S": "debit"},
        "reference": {"S": "bench"},
        "created_at": {"S": "2026-12-02T00:00:00Z"},
        "status": {"S": "posted"},
        "transaction_id": {"S": f"{index:026d}"},
    }
