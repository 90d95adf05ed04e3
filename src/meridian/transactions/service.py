"""Transaction use cases: idempotent create, newest-first listing with opaque cursors, lookup."""

from __future__ import annotations

import base64
import binascii
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
from meridian.money import AmountLimits, InvalidAmountError, parse_amount
from meridian.repository import (
    IDEMPOTENCY_GUARD_PREFIX,
    TRANSACTION_PREFIX,
    Item,
    Key,
    Repository,
    user_pk,
)
from meridian.transactions.views import transaction_view

IDEMPOTENCY_KEY_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
# Waits between retries while a concurrent duplicate is in progress (2.55 s in total).
IN_PROGRESS_RETRY_DELAYS = (0.05, 0.1, 0.2, 0.4, 0.8, 1.0)
DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
_CURSOR_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,512}$")
_LIMIT_PATTERN = re.compile(r"^[0-9]{1,4}$")


def encode_cursor(key: Key) -> str:
    raw = json.dumps({"pk": key["pk"], "sk": key["sk"]}, separators=(",", ":"), sort_keys=True)
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, user_id: str) -> Key:
    """Strictly validate a client-supplied cursor: it must be one we issued to this caller."""
    invalid = errors.ValidationError("cursor is invalid")
    if not _CURSOR_PATTERN.fullmatch(cursor):
        raise invalid
    try:
        document = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError):
        raise invalid from None
    if not isinstance(document, dict) or set(document) != {"pk", "sk"}:
        raise invalid
    pk, sk = document["pk"], document["sk"]
    if not isinstance(pk, str) or not isinstance(sk, str) or pk != user_pk(user_id):
        raise invalid
    if not sk.startswith(TRANSACTION_PREFIX) or not ids.is_ulid(sk[len(TRANSACTION_PREFIX) :]):
        raise invalid
    return {"pk": pk, "sk": sk}


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
        user_id: str,
        idempotency_key: str | None,
        body: dict[str, Any],
        lambda_context: LambdaContext | None,
    ) -> tuple[int, dict[str, Any]]:
        """Create once per (caller, Idempotency-Key); replays get the first response verbatim."""
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
        request = {"caller": user_id, "key": idempotency_key, "body": body}
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
            return int(result["status"]), dict(result["body"])
        raise AssertionError("unreachable")  # pragma: no cover

    def _record_transaction(self, request: dict[str, Any]) -> dict[str, Any]:
        user_id: str = request["caller"]
        body: dict[str, Any] = request["body"]
        transaction_id = ids.new_ulid()
        item: Item = {
            "pk": user_pk(user_id),
            "sk": TRANSACTION_PREFIX + transaction_id,
            "transaction_id": transaction_id,
            "amount": parse_amount(body["amount"], body["currency"], self.max_amounts),
            "currency": body["currency"],
            "type": body["type"],
            "status": "completed",
            "created_at": clock.now_rfc3339(),
        }
        if "reference" in body:
            item["reference"] = body["reference"]
        guard: Item = {
            "pk": user_pk(user_id),
            "sk": IDEMPOTENCY_GUARD_PREFIX + request["key"],
            "transaction_id": transaction_id,
            "expires_at": clock.epoch_seconds() + self.idempotency_ttl_seconds,
        }
        stored = self.repository.create_transaction(item, guard)
        return {"status": 201, "body": transaction_view(stored)}

    def list(self, user_id: str, limit: int, cursor: str | None) -> dict[str, Any]:
        start_key = decode_cursor(cursor, user_id) if cursor is not None else None
        items, last_key = self.repository.query_transactions(user_id, limit, start_key)
        return {
            "items": [transaction_view(item) for item in items],
            "next_cursor": encode_cursor(last_key) if last_key else None,
        }

    def get(self, user_id: str, transaction_id: str) -> dict[str, Any]:
        item = (
            self.repository.get_item(user_pk(user_id), TRANSACTION_PREFIX + transaction_id)
            if ids.is_ulid(transaction_id)
            else None
        )
        if item is None:
            raise errors.NotFoundError("no such transaction")
        return transaction_view(item)
