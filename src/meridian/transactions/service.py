"""Transaction use cases: idempotent create, newest-first listing with opaque cursors, lookup."""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig, idempotent_function
from aws_lambda_powertools.utilities.idempotency.exceptions import (
    IdempotencyAlreadyInProgressError,
    IdempotencyValidationError,
)
from aws_lambda_powertools.utilities.typing import LambdaContext

from meridian import clock, errors, ids
from meridian.identity import Caller
from meridian.money import AmountLimits, InvalidAmountError, parse_amount
from meridian.repository import NOT_YET_REPLICATED, Repository
from meridian.transactions.model import Transaction

IDEMPOTENCY_KEY_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
# Waits between retries while a concurrent duplicate is in progress (2.55 s in total).
IN_PROGRESS_RETRY_DELAYS = (0.05, 0.1, 0.2, 0.4, 0.8, 1.0)
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
    def __init__(
        self,
        repository: Repository,
        max_amounts: AmountLimits,
        idempotency_ttl_seconds: int,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.repository = repository
        self.max_amounts = max_amounts
        self.idempotency_ttl_seconds = idempotency_ttl_seconds
        self.sleep = sleep
        self._idempotency_config = IdempotencyConfig(
            # Scoped per caller: user A's key never matches user B's record.
            event_key_jmespath="[caller, key]",
            payload_validation_jmespath="body",
            raise_on_no_idempotency_key=True,
            expires_after_seconds=idempotency_ttl_seconds,
        )
        self._create_once: Callable[..., dict[str, Any]] | None = None
        # The transaction this invocation just wrote, by id: a first request answers from it,
        # a replay (Powertools returned the stored id) reads the item back.
        self._written: dict[str, Transaction] = {}

    def _idempotent_create(self) -> Callable[..., dict[str, Any]]:
        """Build the Powertools-wrapped writer on first use (its client must exist by then)."""
        if self._create_once is None:
            self._create_once = idempotent_function(
                data_keyword_argument="request",
                persistence_store=self.repository.idempotency_store("transactions"),
                config=self._idempotency_config,
            )(self._record_transaction)
        return self._create_once

    def create(
        self,
        caller: Caller,
        idempotency_key: str | None,
        body: dict[str, Any],
        lambda_context: LambdaContext | None,
    ) -> tuple[int, dict[str, Any]]:
        """Create once per (caller, Idempotency-Key); a replay gets the same transaction.

        Powertools stores only the transaction id as the response (no personal data in the
        idempotency record); the view is always read back from the transaction item, so a
        replay after an erasure shows the scrubbed reference too.
        """
        if idempotency_key is None or not IDEMPOTENCY_KEY_PATTERN.fullmatch(idempotency_key):
            raise errors.ValidationError(
                "header Idempotency-Key is required: 1-64 characters of A-Z, a-z, 0-9, _ or -"
            )
        try:
            parse_amount(body["amount"], body["currency"], self.max_amounts)
        except InvalidAmountError as problem:
            raise errors.ValidationError(f"amount: {problem}") from None

        create_once = self._idempotent_create()
        if lambda_context is not None:
            self._idempotency_config.register_lambda_context(lambda_context)
        # Scoped per caller kind and id: a partner and a user with the same id never share a key.
        request = {
            "caller": {"kind": caller.kind, "id": caller.id},
            "key": idempotency_key,
            "body": body,
        }
        for delay in (*IN_PROGRESS_RETRY_DELAYS, None):
            try:
                result = create_once(request=request)
            except IdempotencyAlreadyInProgressError:
                # A concurrent duplicate is writing: wait for its stored result.
                if delay is None:
                    raise errors.ConflictError(
                        "a request with this Idempotency-Key is still in progress; retry later"
                    ) from None
                self.sleep(delay)
                continue
            except IdempotencyValidationError:
                raise errors.IdempotencyKeyReusedError(
                    "this Idempotency-Key was already used with a different request body"
                ) from None
            transaction_id = str(result["transaction_id"])
            transaction = self._written.pop(
                transaction_id, None
            ) or self.repository.get_transaction(caller, transaction_id)
            if transaction is None:
                # Powertools' record and the transaction replicate apart: this replica holds the
                # record, not yet the item (after an unplanned failover). Retryable, never 409.
                raise errors.NotYetReplicatedError(NOT_YET_REPLICATED)
            return 201, transaction.view()
        raise AssertionError("unreachable")  # pragma: no cover

    def _record_transaction(self, request: dict[str, Any]) -> dict[str, Any]:
        caller = Caller(request["caller"]["kind"], request["caller"]["id"])
        body: dict[str, Any] = request["body"]
        transaction = Transaction(
            transaction_id=ids.new_ulid(),
            amount=parse_amount(body["amount"], body["currency"], self.max_amounts),
            currency=body["currency"],
            type=body["type"],
            status="completed",
            created_at=clock.now_rfc3339(),
            reference=body.get("reference"),
        )
        stored = self.repository.create_transaction(
            caller,
            transaction,
            key_digest=_digest(request["key"]),
            request_hash=_digest(json.dumps(body, sort_keys=True, separators=(",", ":"))),
        )
        self._written[stored.transaction_id] = stored
        return {"transaction_id": stored.transaction_id}

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
