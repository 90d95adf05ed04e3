"""Transaction use cases: idempotent create, newest-first listing with opaque cursors, lookup."""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from meridian import clock, errors, ids
from meridian.identity import Caller
from meridian.money import AmountLimits, InvalidAmountError, parse_amount
from meridian.repository import Repository
from meridian.transactions.model import Transaction

IDEMPOTENCY_KEY_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
_LIMIT_PATTERN = re.compile(r"^[0-9]{1,4}$")


def parse_limit(raw: str | None) -> int:
    if raw is None:
        return DEFAULT_PAGE_SIZE
    # ASCII digits only: str.isdigit() would let "²" through to int() (a 500).
    if not _LIMIT_PATTERN.fullmatch(raw) or not 1 <= int(raw) <= MAX_PAGE_SIZE:
        raise errors.ValidationError(f"limit must be an integer between 1 and {MAX_PAGE_SIZE}")
    return int(raw)


class TransactionService:
    def __init__(self, repository: Repository, max_amounts: AmountLimits) -> None:
        self.repository = repository
        self.max_amounts = max_amounts

    def create(
        self, caller: Caller, idempotency_key: str | None, body: dict[str, Any]
    ) -> dict[str, Any]:
        """Create once per (caller, Idempotency-Key); a replay gets the same transaction (the
        view of what is stored now).

        One TransactWriteItems writes the transaction with the key's guard (the repository):
        the guard holds digests of the key and the body only, never personal data in clear.
        """
        if idempotency_key is None or not IDEMPOTENCY_KEY_PATTERN.fullmatch(idempotency_key):
            raise errors.ValidationError(
                "header Idempotency-Key is required: 1-64 characters of A-Z, a-z, 0-9, _ or -"
            )
        try:
            amount = parse_amount(body["amount"], body["currency"], self.max_amounts)
        except InvalidAmountError as problem:
            raise errors.ValidationError(f"amount: {problem}") from None
        # Minted here, per request, never at init: a SnapStart snapshot holds no id
        # (tests/unit/test_snapshot_restore.py).
        transaction = Transaction(
            transaction_id=ids.new_ulid(),
            amount=amount,
            currency=body["currency"],
            type=body["type"],
            status="completed",
            created_at=clock.now_rfc3339(),
            reference=body.get("reference"),
        )
        stored = self.repository.create_transaction(
            caller,
            transaction,
            key_digest=_digest(idempotency_key),
            request_hash=_digest(json.dumps(body, sort_keys=True, separators=(",", ":"))),
        )
        return stored.view()

    def list(self, caller: Caller, limit: int, cursor: str | None) -> dict[str, Any]:
        page = self.repository.list_transactions(caller, limit, cursor)
        return {
            "items": [transaction.view() for transaction in page.items],
            "next_cursor": page.next_cursor,
        }

    def get(self, caller: Caller, transaction_id: str) -> dict[str, Any]:
        transaction = self.repository.get_transaction(caller, transaction_id)
        if transaction is None:
            raise errors.NotFoundError("no such transaction")
        return transaction.view()


def _digest(text: str) -> str:
    """SHA-256 hex: guards store digests, never the client's key or body in clear."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
