"""The ONE module that talks to DynamoDB (single table, ``pk``/``sk``, TTL on ``expires_at``).

It owns every key format (``USER#…``, ``PARTNER#…``, ``PROFILE``, ``SESSION#…``, ``TXN#…``,
``IDEMKEY#…``), every sort-key span and every cursor; services speak in domain terms (a
``Caller``, a user id, ``Profile``/``Session``/``Transaction`` objects) and never see a key.

Every DynamoDB fault that means "not now" becomes ``ServiceUnavailableError`` here;
conditional-check failures become the domain errors the caller asked for; transaction conflicts
are retried a bounded number of times and then become ``ConflictError`` (409), never a 500.
"""

from __future__ import annotations

import base64
import binascii
import json
import random
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar, cast

from boto3.dynamodb.types import TypeSerializer  # type: ignore[import-untyped]
from botocore.exceptions import ClientError  # type: ignore[import-untyped]

from meridian import aws, errors, ids
from meridian.events.items import from_ddb as _from_ddb
from meridian.events.items import transaction_from_item as _transaction
from meridian.identity import Caller
from meridian.keys import (
    AFTER_EVERY_ULID,
    IDEMPOTENCY_GUARD_PREFIX,
    PROFILE_SK,
    SESSION_PREFIX,
    TRANSACTION_PREFIX,
    caller_pk,
    user_pk,
)
from meridian.transactions.model import Transaction, TransactionPage

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

    # Only the profile methods build these: the transactions function never defines them
    # (imported where they are constructed; tests/unit/test_cold_start_imports.py).
    from meridian.profiles.model import ExportPage, Profile, ProfileChanges, Session


Item = dict[str, Any]
Key = dict[str, str]
T = TypeVar("T")

BATCH_WRITE_LIMIT = 25
BATCH_RETRY_DELAYS = (0.05, 0.1, 0.2, 0.4, 0.8)
# TransactionConflict: another transaction touched one of our items at the same moment. AWS
# cancels the whole transaction and the caller may simply retry it:
# https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis.html#transaction-conflict-handling
# Duplicates of one POST /transactions (a client retrying in parallel) all write the same guard
# item, so they conflict with each other: each wait is jittered (x0.5-1.5) so that they do not
# retry in lockstep (https://aws.amazon.com/builders-library/timeouts-retries-and-backoff-with-jitter/).
# Python's ``random`` is reseeded after a SnapStart restore (meridian.observability).
CONFLICT_RETRY_DELAYS = (0.02, 0.05, 0.1, 0.2)
# One export page: at most this many items. The largest item view is ~2 KB of JSON (a 140-char
# reference of astral characters escaped as \\uXXXX pairs), so a page stays under ~1 MB, well
# below the 6 MB synchronous Lambda response limit
# (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html). A Query also stops
# at 1 MB of items, which only makes a page shorter.
EXPORT_PAGE_ITEMS = 500
# Parallel UpdateItems of an erasure's scrub (each ~5 ms on AWS: ~1,600 items a second).
SCRUB_WORKERS = 8
_CURSOR_MAX_LENGTH = 512
NOT_YET_REPLICATED = (
    "the transaction recorded for this Idempotency-Key has not arrived in this region yet;"
    " retry the same request"
)

_SERIALIZER = TypeSerializer()


# -- keys (the only place that knows them) ---------------------------------------------------
def _guard_sk(key_digest: str) -> str:
    return IDEMPOTENCY_GUARD_PREFIX + key_digest


# -- marshalling -----------------------------------------------------------------------------
def _to_ddb(item: Item) -> dict[str, Any]:
    return {name: _SERIALIZER.serialize(value) for name, value in item.items()}


def _profile(item: Item) -> Profile:
    from meridian.profiles.model import Profile  # noqa: PLC0415 - profiles only (see imports)

    return Profile(
        user_id=str(item["user_id"]),
        display_name=str(item["display_name"]),
        marketing_opt_in=bool(item.get("marketing_opt_in", False)),
        version=int(item["version"]),
        created_at=str(item["created_at"]),
        updated_at=str(item["updated_at"]),
        locale=str(item["locale"]) if item.get("locale") else None,
    )


def _session(item: Item) -> Session:
    from meridian.profiles.model import Session  # noqa: PLC0415 - profiles only (see imports)

    return Session(
        session_id=str(item["session_id"]),
        device_name=str(item["device_name"]),
        platform=str(item["platform"]),
        created_at=str(item["created_at"]),
        expires_at=int(item["expires_at"]),
    )


def _transaction_item(
    pk: str, transaction: Transaction, key_digest: str, written_region: str
) -> Item:
    item: Item = {
        "pk": pk,
        "sk": TRANSACTION_PREFIX + transaction.transaction_id,
        # The Idempotency-Key's digest (as in the guard's sort key): after an unplanned failover
        # the reconciliation query finds keys that name two transactions (docs/operations.md).
        "key_digest": key_digest,
        # Contract E (issue 14): the region that took the write. Every replica's stream carries
        # the item (replication writes it there too), so the events publisher of region R only
        # takes records whose written_region is R: a replicated copy never gives a second event.
        "written_region": written_region,
        "transaction_id": transaction.transaction_id,
        "amount": transaction.amount,
        "currency": transaction.currency,
        "type": transaction.type,
        "status": transaction.status,
        "created_at": transaction.created_at,
    }
    if transaction.reference:
        item["reference"] = transaction.reference
    return item


# -- cursors (opaque to services and clients) ------------------------------------------------
def _encode_cursor(sk: str) -> str:
    raw = json.dumps({"sk": sk}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode_cursor(cursor: str, prefixes: tuple[str, ...]) -> str:
    """The sort key inside a cursor we issued; anything else is a 400, never a 500."""
    invalid = errors.ValidationError("cursor is invalid")
    if not 0 < len(cursor) <= _CURSOR_MAX_LENGTH or not cursor.isascii():
        raise invalid
    try:
        document = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError):
        raise invalid from None
    if not isinstance(document, dict) or set(document) != {"sk"}:
        raise invalid
    sk = document["sk"]
    if not isinstance(sk, str):
        raise invalid
    if sk == PROFILE_SK and PROFILE_SK in prefixes:
        return sk
    for prefix in prefixes:
        if prefix != PROFILE_SK and sk.startswith(prefix) and ids.is_ulid(sk[len(prefix) :]):
            return sk
    raise invalid


# -- error translation -----------------------------------------------------------------------
def _error_code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def _cancellation_codes(error: ClientError) -> list[str]:
    """CancellationReasons codes, one per action in request order ("None": that one was fine)."""
    reasons = error.response.get("CancellationReasons") or []
    return [str(reason.get("Code") or "None") for reason in reasons]


def _cancelled_by_condition(error: ClientError, index: int | None = None) -> bool:
    codes = _cancellation_codes(error)
    if not codes:
        # Some emulators omit the reasons; the message still names the failed condition.
        return "ConditionalCheckFailed" in str(error)
    if index is not None:
        return index < len(codes) and codes[index] == "ConditionalCheckFailed"
    return "ConditionalCheckFailed" in codes


def _is_transaction_conflict(error: BaseException) -> bool:
    """A conflict with a concurrent write (retryable), and no failed condition (which is final)."""
    if not isinstance(error, ClientError):
        return False
    code = _error_code(error)
    if code == "TransactionConflictException":  # a single-item write hit an ongoing transaction
        return True
    if code != "TransactionCanceledException":
        return False
    codes = _cancellation_codes(error)
    if codes:
        return "TransactionConflict" in codes and "ConditionalCheckFailed" not in codes
    return "TransactionConflict" in str(error) and "ConditionalCheckFailed" not in str(error)


@contextmanager
def _dynamodb(operation: str) -> Iterator[None]:
    """Translate transport and throttling faults into ServiceUnavailableError."""
    try:
        yield
    except errors.MeridianError:
        raise
    except Exception as error:
        if errors.is_unavailable(error):
            raise errors.ServiceUnavailableError(
                f"the data store is temporarily unavailable ({operation})"
            ) from error
        raise


class Repository:
    """Data access for one table; every method is one well-defined DynamoDB access pattern."""

    def __init__(
        self,
        table_name: str,
        client: DynamoDBClient | None = None,
        sleep: Callable[[float], None] = time.sleep,
        *,
        region: str | None = None,
    ) -> None:
        self.table_name = table_name
        self._client = client
        self._sleep = sleep
        # This function's AWS_REGION (from its configuration): every transaction it writes
        # records it as ``written_region`` (contract E). Only writers of transactions need it.
        self.region = region

    @property
    def client(self) -> DynamoDBClient:
        if self._client is not None:
            return self._client
        return cast("DynamoDBClient", aws.client("dynamodb"))

    # -- generic --------------------------------------------------------------------------
    def _get(self, pk: str, sk: str) -> Item | None:
        with _dynamodb("GetItem"):
            response = self.client.get_item(
                TableName=self.table_name,
                Key=_to_ddb({"pk": pk, "sk": sk}),
                ConsistentRead=True,
            )
        item = response.get("Item")
        return _from_ddb(dict(item)) if item else None

    def _query_all(self, request: dict[str, Any]) -> list[Item]:
        """Every page of one Query (strongly consistent)."""
        items: list[Item] = []
        request = {"TableName": self.table_name, "ConsistentRead": True, **request}
        while True:
            with _dynamodb("Query"):
                response = self.client.query(**request)
            items.extend(_from_ddb(dict(item)) for item in response.get("Items", []))
            last_key = response.get("LastEvaluatedKey")
            if not last_key:
                return items
            request["ExclusiveStartKey"] = last_key

    def _delete_keys(self, keys: list[Key]) -> None:
        """BatchWriteItem deletes in chunks of 25, retrying unprocessed items with backoff."""
        for start in range(0, len(keys), BATCH_WRITE_LIMIT):
            pending: list[Any] = [
                {"DeleteRequest": {"Key": _to_ddb(key)}}
                for key in keys[start : start + BATCH_WRITE_LIMIT]
            ]
            for delay in (0.0, *BATCH_RETRY_DELAYS):
                if delay:
                    self._sleep(delay)
                with _dynamodb("BatchWriteItem"):
                    response = self.client.batch_write_item(RequestItems={self.table_name: pending})
                pending = list(response.get("UnprocessedItems", {}).get(self.table_name, []))
                if not pending:
                    break
            if pending:
                raise errors.ServiceUnavailableError(
                    "the data store is throttling deletes; retry the request"
                )

    def _retrying_conflicts(self, operation: str, write: Callable[[], T]) -> T:
        """Run ``write``; on a transaction conflict retry it (bounded), then 409 CONFLICT."""
        for delay in (*CONFLICT_RETRY_DELAYS, None):
            try:
                with _dynamodb(operation):
                    return write()
            except ClientError as error:
                if not _is_transaction_conflict(error):
                    raise
                if delay is None:
                    raise errors.ConflictError(
                        "another request changed the same data at the same time; retry"
                    ) from None
                self._sleep(delay * random.uniform(0.5, 1.5))  # noqa: S311 - jitter, not a secret
        raise AssertionError("unreachable")  # pragma: no cover

    # -- profiles -------------------------------------------------------------------------
    def create_profile(self, profile: Profile) -> None:
        """Conditional Put: fails with ConflictError when the caller already has a profile."""
        item: Item = {
            "pk": user_pk(profile.user_id),
            "sk": PROFILE_SK,
            "user_id": profile.user_id,
            "display_name": profile.display_name,
            "marketing_opt_in": profile.marketing_opt_in,
            "version": profile.version,
            "created_at": profile.created_at,
            "updated_at": profile.updated_at,
        }
        if profile.locale:
            item["locale"] = profile.locale

        def put() -> None:
            self.client.put_item(
                TableName=self.table_name,
                Item=_to_ddb(item),
                ConditionExpression="attribute_not_exists(pk)",
            )

        try:
            self._retrying_conflicts("PutItem", put)
        except ClientError as error:
            if _error_code(error) == "ConditionalCheckFailedException":
                raise errors.ConflictError("a profile already exists for this user") from None
            raise

    def _profile_item(self, user_id: str) -> Item | None:
        return self._get(user_pk(user_id), PROFILE_SK)

    def get_profile(self, user_id: str) -> Profile | None:
        """The caller's profile; one whose erasure has begun is already gone."""
        item = self._profile_item(user_id)
        return _profile(item) if item and "erasure_started_at" not in item else None

    def update_profile(
        self, user_id: str, expected_version: int, changes: ProfileChanges, updated_at: str
    ) -> Profile:
        """UpdateItem guarded by ``version = :expected`` (optimistic locking, no lost update)."""
        names = {
            "#version": "version",
            "#updated_at": "updated_at",
            "#erasure": "erasure_started_at",
        }
        values: Item = {":expected": expected_version, ":one": 1, ":updated_at": updated_at}
        assignments = ["#version = #version + :one", "#updated_at = :updated_at"]
        for index, (field, value) in enumerate(sorted(changes.as_attributes().items())):
            names[f"#f{index}"] = field
            values[f":v{index}"] = value

            assignments.append(f"#f{index} = :v{index}")

        def update() -> Any:  # noqa: ANN401 - the typed UpdateItem output
            return self.client.update_item(
                TableName=self.table_name,
                Key=_to_ddb({"pk": user_pk(user_id), "sk": PROFILE_SK}),
                UpdateExpression="SET " + ", ".join(assignments),
                ConditionExpression=(
                    "attribute_exists(pk) AND attribute_not_exists(#erasure)"
                    " AND #version = :expected"
                ),
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=_to_ddb(values),
                ReturnValues="ALL_NEW",
            )

        try:
            response = self._retrying_conflicts("UpdateItem", update)
        except ClientError as error:
            if _error_code(error) != "ConditionalCheckFailedException":
                raise
            if self.get_profile(user_id) is None:
                raise errors.NotFoundError("no profile exists for this user") from None
            raise errors.ConflictError(
                "the profile was changed by another request; reload it and retry"
            ) from None
        return _profile(_from_ddb(dict(response["Attributes"])))

    # -- sessions -------------------------------------------------------------------------
    def create_session(self, user_id: str, session: Session) -> None:
        """TransactWriteItems: ConditionCheck that the profile exists and is not being erased +
        Put of the session. The erasure marks the profile first (one item, serialised with this
        check), so a session either commits before the mark, and the erasure's later strongly
        consistent Query finds and deletes it, or fails here: none survives an erasure
        (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis.html#transaction-isolation).
        Across regions this holds only because every write goes to the one active region."""
        pk = user_pk(user_id)
        item: Item = {
            "pk": pk,
            "sk": SESSION_PREFIX + session.session_id,
            "session_id": session.session_id,
            "device_name": session.device_name,
            "platform": session.platform,
            "created_at": session.created_at,
            "expires_at": session.expires_at,
        }

        def write() -> None:
            self.client.transact_write_items(
                TransactItems=[
                    {
                        "ConditionCheck": {
                            "TableName": self.table_name,
                            "Key": _to_ddb({"pk": pk, "sk": PROFILE_SK}),
                            "ConditionExpression": (
                                "attribute_exists(pk) AND attribute_not_exists(#erasure)"
                            ),
                            "ExpressionAttributeNames": {"#erasure": "erasure_started_at"},
                        }
                    },
                    {
                        "Put": {
                            "TableName": self.table_name,
                            "Item": _to_ddb(item),
                            "ConditionExpression": "attribute_not_exists(pk)",
                        }
                    },
                ]
            )

        try:
            self._retrying_conflicts("TransactWriteItems", write)
        except ClientError as error:
            if _error_code(error) != "TransactionCanceledException":
                raise
            if _cancelled_by_condition(error, index=0):
                raise errors.NotFoundError("create a profile before registering sessions") from None
            if _cancelled_by_condition(error):
                # The Put's own condition: a session with this id exists. Ids are ULIDs made here,
                # and botocore's retry of an applied transaction is answered by its
                # ClientRequestToken (docs/aws-rules.md), so this is a conflict, not "no profile".
                raise errors.ConflictError("a session with this id already exists") from None
            raise

    def list_sessions(self, user_id: str, now: int) -> list[Session]:
        """The caller's live sessions (expired ones are filtered: TTL deletes lazily)."""
        items = self._query_all(
            {
                "KeyConditionExpression": "pk = :pk AND begins_with(sk, :prefix)",
                "ExpressionAttributeValues": _to_ddb(
                    {":pk": user_pk(user_id), ":prefix": SESSION_PREFIX}
                ),
            }
        )
        sessions = (_session(item) for item in items)
        return [session for session in sessions if session.is_live(now)]

    def delete_session(self, user_id: str, session_id: str, now: int) -> None:
        """Conditional DeleteItem: NotFoundError unless the caller owns that session and it has
        not expired. TTL deletes lazily and expired items still answer reads and writes until
        then (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ttl-expired-items.html),
        so the condition checks ``expires_at`` itself: an expired session is a 404."""
        if not ids.is_ulid(session_id):
            raise errors.NotFoundError("no such session")

        def delete() -> None:
            self.client.delete_item(
                TableName=self.table_name,
                Key=_to_ddb({"pk": user_pk(user_id), "sk": SESSION_PREFIX + session_id}),
                ConditionExpression="attribute_exists(pk) AND expires_at > :now",
                ExpressionAttributeValues=_to_ddb({":now": now}),
            )

        try:
            self._retrying_conflicts("DeleteItem", delete)
        except ClientError as error:
            if _error_code(error) == "ConditionalCheckFailedException":
                raise errors.NotFoundError("no such session") from None
            raise

    # -- GDPR erasure (only ever USER# partitions) ------------------------------------------
    def begin_erasure(self, user_id: str, started_at: str) -> None:
        """Mark the profile as being erased (NotFoundError without one). From this write on no
        session, profile update or transaction of this user can commit; repeating it is fine."""

        def mark() -> None:
            self.client.update_item(
                TableName=self.table_name,
                Key=_to_ddb({"pk": user_pk(user_id), "sk": PROFILE_SK}),
                UpdateExpression="SET #erasure = :started",
                ConditionExpression="attribute_exists(pk)",
                ExpressionAttributeNames={"#erasure": "erasure_started_at"},
                ExpressionAttributeValues=_to_ddb({":started": started_at}),
            )

        try:
            self._retrying_conflicts("UpdateItem", mark)
        except ClientError as error:
            if _error_code(error) == "ConditionalCheckFailedException":
                raise errors.NotFoundError("no profile exists for this user") from None
            raise

    def delete_sessions(self, user_id: str) -> None:
        """Every session of the user, expired or not (BatchWriteItem)."""
        pk = user_pk(user_id)
        items = self._query_all(
            {
                "KeyConditionExpression": "pk = :pk AND begins_with(sk, :prefix)",
                "ExpressionAttributeValues": _to_ddb({":pk": pk, ":prefix": SESSION_PREFIX}),
                "ProjectionExpression": "pk, sk",
            }
        )
        self._delete_keys([{"pk": pk, "sk": str(item["sk"])} for item in items])

    def scrub_personal_data(self, user_id: str, deadline: float | None = None) -> bool:
        """Remove the free-text ``reference`` of the user's kept transactions and the request
        digest of their idempotency guards, page by page, ``SCRUB_WORKERS`` UpdateItems at a
        time. Stops before ``deadline`` (a ``time.monotonic()`` value) and returns False when
        items are left: the caller reports it and a repeated request continues."""
        pk = user_pk(user_id)
        names = {"#reference": "reference", "#digest": "request_hash"}
        request: dict[str, Any] = {
            "TableName": self.table_name,
            "KeyConditionExpression": "pk = :pk",
            # Filtered here, not with a FilterExpression: it would read (and bill) the same items.
            "ProjectionExpression": "pk, sk, #reference, #digest",
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": _to_ddb({":pk": pk}),
            "ConsistentRead": True,
        }

        out_of_time = False

        def scrub(sk: str) -> None:
            nonlocal out_of_time
            if deadline is not None and time.monotonic() >= deadline:
                out_of_time = True  # checked per item: one page may hold thousands
                return

            def update() -> None:
                self.client.update_item(
                    TableName=self.table_name,
                    Key=_to_ddb({"pk": pk, "sk": sk}),
                    UpdateExpression="REMOVE #reference, #digest",
                    ConditionExpression="attribute_exists(pk)",
                    ExpressionAttributeNames=names,
                )

            try:
                self._retrying_conflicts("UpdateItem", update)
            except ClientError as error:  # pragma: no cover - deleted meanwhile: nothing left
                if _error_code(error) != "ConditionalCheckFailedException":
                    raise

        client = self.client  # one client for every worker thread (boto3 clients are thread-safe)
        with ThreadPoolExecutor(max_workers=SCRUB_WORKERS) as pool:
            while True:
                if deadline is not None and time.monotonic() >= deadline:
                    return False
                with _dynamodb("Query"):
                    response = client.query(**request)
                sort_keys = [
                    str(item["sk"]["S"])
                    for item in response.get("Items", [])
                    if "reference" in item or "request_hash" in item
                ]
                list(pool.map(scrub, sort_keys))
                if out_of_time:
                    return False
                last_key = response.get("LastEvaluatedKey")
                if not last_key:
                    return True
                request["ExclusiveStartKey"] = last_key

    def finish_erasure(self, user_id: str) -> None:
        """Delete the (marked) profile: the last step, so a failed erasure can be repeated."""
        self._delete_keys([{"pk": user_pk(user_id), "sk": PROFILE_SK}])

    # -- GDPR export ----------------------------------------------------------------------
    def export_page(
        self, user_id: str, cursor: str | None, now: int, page_items: int = EXPORT_PAGE_ITEMS
    ) -> ExportPage:
        """One page of everything stored about the user: one strongly consistent Query over
        ``PROFILE`` .. ``TXN#~`` (adjacent sort keys; the ``IDEMKEY#`` guards sort before
        ``PROFILE`` and are not read). Expired sessions are left out (TTL deletes lazily)."""
        from meridian.profiles.model import ExportPage  # noqa: PLC0415 - profiles only

        pk = user_pk(user_id)
        request: dict[str, Any] = {
            "TableName": self.table_name,
            "KeyConditionExpression": "pk = :pk AND sk BETWEEN :first AND :last",
            "ExpressionAttributeValues": _to_ddb(
                {
                    ":pk": pk,
                    ":first": PROFILE_SK,
                    ":last": TRANSACTION_PREFIX + AFTER_EVERY_ULID,
                }
            ),
            "ConsistentRead": True,
            "Limit": page_items,
        }
        if cursor is not None:
            start = _decode_cursor(cursor, (PROFILE_SK, SESSION_PREFIX, TRANSACTION_PREFIX))
            request["ExclusiveStartKey"] = _to_ddb({"pk": pk, "sk": start})
        with _dynamodb("Query"):
            response = self.client.query(**request)
        items = [_from_ddb(dict(item)) for item in response.get("Items", [])]
        profile = next(
            (
                _profile(item)
                for item in items
                if item["sk"] == PROFILE_SK and "erasure_started_at" not in item
            ),
            None,
        )
        sessions = [_session(item) for item in items if str(item["sk"]).startswith(SESSION_PREFIX)]
        last_key = response.get("LastEvaluatedKey")
        return ExportPage(
            profile=profile,
            sessions=[session for session in sessions if session.is_live(now)],
            transactions=[
                _transaction(item)
                for item in items
                if str(item["sk"]).startswith(TRANSACTION_PREFIX)
            ],
            next_cursor=_encode_cursor(str(_from_ddb(dict(last_key))["sk"])) if last_key else None,
        )

    # -- transactions ---------------------------------------------------------------------
    def create_transaction(
        self, caller: Caller, transaction: Transaction, key_digest: str, request_hash: str
    ) -> Transaction:
        """TransactWriteItems: the transaction + the caller's guard for its Idempotency-Key
        (+ for users, a ConditionCheck that no erasure of their profile is running). Returns the
        transaction this key names: the new one, or the one a first request recorded.

        The guard is the whole idempotency record: one write per create, no TTL. One key names
        one transaction of one caller for ever, so no answer depends on when (or whether) DynamoDB's
        TTL sweeper deletes something (lazily, days later:
        https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ttl-expired-items.html).
        The same key and body return that transaction; another body is IdempotencyKeyReusedError.
        Duplicates sent in parallel race on the guard: one commits, the others' conditions fail
        (or they conflict with it, are retried, and then fail) and they read the guard back.
        A GetItem is serializable with TransactWriteItems, so once the guard is read its
        transaction (committed with it) is readable in this Region too
        (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis.html#transaction-isolation).
        """
        if self.region is None:
            raise errors.ConfigError("the repository was built without its region")
        pk = caller_pk(caller)
        guard: Item = {
            "pk": pk,
            "sk": _guard_sk(key_digest),
            "transaction_id": transaction.transaction_id,
            "request_hash": request_hash,
        }
        actions: list[Any] = [
            {
                "Put": {
                    "TableName": self.table_name,
                    "Item": _to_ddb(guard),
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            },
            {
                "Put": {
                    "TableName": self.table_name,
                    "Item": _to_ddb(_transaction_item(pk, transaction, key_digest, self.region)),
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            },
        ]
        if caller.kind == "user":
            # Serialised with the erasure's mark on the profile: a reference cannot be written
            # behind the erasure's scrub. A missing profile passes (attribute_not_exists).
            actions.append(
                {
                    "ConditionCheck": {
                        "TableName": self.table_name,
                        "Key": _to_ddb({"pk": pk, "sk": PROFILE_SK}),
                        "ConditionExpression": "attribute_not_exists(#erasure)",
                        "ExpressionAttributeNames": {"#erasure": "erasure_started_at"},
                    }
                }
            )

        def write() -> None:
            self.client.transact_write_items(TransactItems=actions)

        try:
            self._retrying_conflicts("TransactWriteItems", write)
        except ClientError as error:
            if not (
                _error_code(error) == "TransactionCanceledException"
                and _cancelled_by_condition(error)
            ):
                raise
            if caller.kind == "user" and _cancelled_by_condition(error, 2):
                raise errors.ConflictError(
                    "this user's data is being erased; retry when the erasure has finished"
                ) from None
            return self._existing_for_key(pk, key_digest, request_hash)
        return transaction

    def _existing_for_key(self, pk: str, key_digest: str, request_hash: str) -> Transaction:
        existing_guard = self._get(pk, _guard_sk(key_digest))
        if existing_guard is None:  # pragma: no cover - the guard's condition just failed
            raise errors.ConflictError("the transaction could not be recorded; retry")
        # An erasure removed the request digest (personal data: the body holds the reference):
        # the body can no longer be compared, and the key still names that one transaction.
        recorded_hash = existing_guard.get("request_hash", request_hash)
        if recorded_hash != request_hash:
            raise errors.IdempotencyKeyReusedError(
                "this Idempotency-Key was already used with a different request body"
            )
        existing = self._get(pk, TRANSACTION_PREFIX + str(existing_guard["transaction_id"]))
        if existing is None:
            # Written together, replicated apart: "Items are replicated individually. Items
            # that are updated within a single transaction might not be replicated together"
            # (https://docs.aws.amazon.com/prescriptive-guidance/latest/dynamodb-global-tables/overview.html).
            # This replica (a new write region after an unplanned failover) holds the guard but
            # not yet its transaction: the answer is on its way, so a retryable 503.
            raise errors.NotYetReplicatedError(NOT_YET_REPLICATED)
        return _transaction(existing)

    def get_transaction(self, caller: Caller, transaction_id: str) -> Transaction | None:
        if not ids.is_ulid(transaction_id):
            return None
        item = self._get(caller_pk(caller), TRANSACTION_PREFIX + transaction_id)
        return _transaction(item) if item else None

    def list_transactions(self, caller: Caller, limit: int, cursor: str | None) -> TransactionPage:
        """One page of Query on the caller's partition, newest first (ULIDs sort by time).

        ConsistentRead: a POST then a GET sees the new transaction, like every other read here.
        It costs twice the read units of an eventually consistent Query (1 RCU per 4 KB instead
        of 0.5: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/read-write-operations.html).
        """
        pk = caller_pk(caller)
        request: dict[str, Any] = {
            "TableName": self.table_name,
            "KeyConditionExpression": "pk = :pk AND begins_with(sk, :prefix)",
            "ExpressionAttributeValues": _to_ddb({":pk": pk, ":prefix": TRANSACTION_PREFIX}),
            "ScanIndexForward": False,
            "ConsistentRead": True,
            "Limit": limit,
        }
        if cursor is not None:
            start = _decode_cursor(cursor, (TRANSACTION_PREFIX,))
            request["ExclusiveStartKey"] = _to_ddb({"pk": pk, "sk": start})
        with _dynamodb("Query"):
            response = self.client.query(**request)
        last_key = response.get("LastEvaluatedKey")
        return TransactionPage(
            items=[_transaction(_from_ddb(dict(item))) for item in response.get("Items", [])],
            next_cursor=_encode_cursor(str(_from_ddb(dict(last_key))["sk"])) if last_key else None,
        )

    # -- health ---------------------------------------------------------------------------
    def probe(self) -> None:
        """A cheap data-plane read (GetItem of a key that never exists)."""
        self._get("HEALTH#probe", "HEALTH#probe")
