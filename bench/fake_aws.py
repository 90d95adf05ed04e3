"""DynamoDB (and the Secrets Manager read of the authorizer) answered in memory, at the HTTP layer.

The fake hangs on botocore's ``before-send`` event: botocore still validates the parameters,
serialises the request, signs it and parses the response exactly as it does against AWS; only the
network round trip is replaced. Unlike botocore's ``Stubber`` (which short-circuits before
serialisation) this keeps the client-side cost the Lambda really pays inside the measured time.

The table is stateful (a dict of items keyed by ``pk``/``sk``) and understands the expressions the
application sends, so conditional writes, optimistic locking, transactions and idempotent replays
behave as they do on DynamoDB. ``CallCounter`` counts every API call through
``before-parameter-build`` so the bench can check calls per request independently of the fake.
"""

from __future__ import annotations

import json
import re
import time
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

AttributeValue = dict[str, Any]
RawItem = dict[str, AttributeValue]

_TOKEN = re.compile(r"\s*(\(|\)|,|<=|>=|<>|=|<|>|\+|-|[#:]?[A-Za-z_][A-Za-z0-9_.]*)")


class _RawBody:
    """What ``AWSResponse`` reads its body from (the urllib3 response normally)."""

    def __init__(self, payload: bytes) -> None:
        self.payload = payload

    def stream(self, **_: Any) -> Iterator[bytes]:  # noqa: ANN401 - urllib3 signature
        yield self.payload


class ConditionFailedError(Exception):
    def __init__(self, old_item: RawItem | None) -> None:
        super().__init__("The conditional request failed")
        self.old_item = old_item


def _scalar(value: AttributeValue) -> Any:  # noqa: ANN401 - any DynamoDB scalar
    if "N" in value:
        return Decimal(value["N"])
    if "S" in value:
        return value["S"]
    if "BOOL" in value:
        return value["BOOL"]
    return json.dumps(value, sort_keys=True)


class _Expression:
    """A tiny recursive-descent evaluator for condition and key-condition expressions."""

    def __init__(self, text: str, names: dict[str, str], values: dict[str, AttributeValue]) -> None:
        self.tokens: list[str] = [str(token) for token in _TOKEN.findall(text) if token]
        self.names = names
        self.values = values
        self.position = 0

    def _peek(self) -> str | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def _take(self, expected: str | None = None) -> str:
        token: str = self.tokens[self.position]
        if expected is not None and token.upper() != expected:
            raise ValueError(f"expected {expected}, got {token}")
        self.position += 1
        return token

    def _name(self, token: str) -> str:
        return str(self.names[token]) if token.startswith("#") else token

    def evaluate(self, item: RawItem | None) -> bool:
        self.position = 0
        result = self._or(item or {})
        if self._peek() is not None:
            raise ValueError(f"unsupported expression near {self._peek()}")
        return result

    def _or(self, item: RawItem) -> bool:
        result = self._and(item)
        while (self._peek() or "").upper() == "OR":
            self._take()
            result = self._and(item) or result
        return result

    def _and(self, item: RawItem) -> bool:
        result = self._atom(item)
        while (self._peek() or "").upper() == "AND":
            self._take()
            result = self._atom(item) and result
        return result

    def _atom(self, item: RawItem) -> bool:
        token = self._take()
        if token == "(":  # noqa: S105 - a parenthesis, not a password
            result = self._or(item)
            self._take(")")
            return result
        function = token.lower()
        if function in {"attribute_exists", "attribute_not_exists", "begins_with"}:
            self._take("(")
            name = self._name(self._take())
            if function == "begins_with":
                self._take(",")
                prefix = self._operand(item)
                self._take(")")
                return name in item and str(_scalar(item[name])).startswith(str(prefix))
            self._take(")")
            return (name in item) == (function == "attribute_exists")
        left = self._value_of(token, item)
        operator = self._take()
        if operator.upper() == "BETWEEN":
            low = self._operand(item)
            self._take("AND")
            high = self._operand(item)
            return left is not None and bool(low <= left <= high)
        right = self._operand(item)
        if left is None or right is None:
            return False
        comparisons: dict[str, Callable[[Any, Any], bool]] = {
            "=": lambda a, b: a == b,
            "<>": lambda a, b: a != b,
            "<": lambda a, b: a < b,
            "<=": lambda a, b: a <= b,
            ">": lambda a, b: a > b,
            ">=": lambda a, b: a >= b,
        }
        return comparisons[operator](left, right)

    def _operand(self, item: RawItem) -> Any:  # noqa: ANN401
        return self._value_of(self._take(), item)

    def _value_of(self, token: str, item: RawItem) -> Any:  # noqa: ANN401
        if token.startswith(":"):
            return _scalar(self.values[token])
        name = self._name(token)
        return _scalar(item[name]) if name in item else None


def _key_condition(request: dict[str, Any]) -> tuple[str, tuple[str, list[str]] | None]:
    """A Query's ``KeyConditionExpression``: the partition key value and the sort key condition
    (operator and operand values), if any. ``pk = :v`` with at most one of ``sk = | < | <= | >
    | >= :v``, ``sk BETWEEN :a AND :b`` or ``begins_with(sk, :p)``, joined by AND, as DynamoDB
    allows; attribute names may be ``#placeholders``."""
    names: dict[str, str] = request.get("ExpressionAttributeNames", {})
    values: dict[str, AttributeValue] = request.get("ExpressionAttributeValues", {})
    # Parentheses and commas carry no meaning in a key condition (it has neither OR nor NOT).
    tokens = [
        str(token)
        for token in _TOKEN.findall(request["KeyConditionExpression"])
        if token not in {"(", ")", ","}
    ]
    pk: str | None = None
    sort_condition: tuple[str, list[str]] | None = None
    position = 0
    while position < len(tokens):
        if tokens[position].upper() == "AND":
            position += 1
            continue
        if tokens[position].lower() == "begins_with":
            name, operator, operands = tokens[position + 1], "BEGINS_WITH", [tokens[position + 2]]
            position += 3
        else:
            name, operator = tokens[position], tokens[position + 1].upper()
            if operator == "BETWEEN":
                operands = [tokens[position + 2], tokens[position + 4]]
                position += 5
            else:
                operands = [tokens[position + 2]]
                position += 3
        attribute = names.get(name, name)
        operand_values = [str(values[operand]["S"]) for operand in operands]
        if attribute == "pk" and operator == "=" and pk is None:
            pk = operand_values[0]
        elif attribute == "sk" and sort_condition is None:
            sort_condition = (operator, operand_values)
        else:
            raise ValueError(f"unsupported key condition on {attribute} ({operator})")
    if pk is None:
        raise ValueError("a Query needs pk = :value in its key condition")
    return pk, sort_condition


def _sort_key_range(keys: list[str], condition: tuple[str, list[str]]) -> tuple[int, int]:
    """The slice ``keys[low:high]`` of the sorted ``keys`` that satisfies ``condition``."""
    operator, operands = condition
    first = operands[0]
    ranges: dict[str, Callable[[], tuple[int, int]]] = {
        "=": lambda: (bisect_left(keys, first), bisect_right(keys, first)),
        "<": lambda: (0, bisect_left(keys, first)),
        "<=": lambda: (0, bisect_right(keys, first)),
        ">": lambda: (bisect_right(keys, first), len(keys)),
        ">=": lambda: (bisect_left(keys, first), len(keys)),
        "BETWEEN": lambda: (bisect_left(keys, first), bisect_right(keys, operands[-1])),
        # Sorted keys sorted by their first len(prefix) characters too: one bisection each end.
        "BEGINS_WITH": lambda: (
            bisect_left(keys, first),
            bisect_right(keys, first, key=lambda sk: sk[: len(first)]),
        ),
    }
    if operator not in ranges:
        raise ValueError(f"unsupported sort key condition {operator}")
    return ranges[operator]()


def _apply_update(
    item: RawItem, text: str, names: dict[str, str], values: dict[str, AttributeValue]
) -> RawItem:
    """``SET a = :v, #b = #b + :one`` (the only update form the code under test sends)."""
    updated = dict(item)
    action, _, assignments = text.strip().partition(" ")
    if action.upper() != "SET":
        raise ValueError(f"unsupported update action {action}")
    for assignment in assignments.split(","):
        target, _, source = (part.strip() for part in assignment.partition("="))
        name = names.get(target, target)
        terms = [term.strip() for term in source.split("+")]
        if len(terms) == 1:
            updated[name] = values[terms[0]] if terms[0].startswith(":") else item[terms[0]]
            continue
        total = Decimal(0)
        for term in terms:
            operand = values[term] if term.startswith(":") else item[names.get(term, term)]
            total += Decimal(operand["N"])
        updated[name] = {"N": str(total)}
    return updated


@dataclass
class FakeTable:
    """One table's items by partition, then sort key, holding DynamoDB JSON exactly as sent.

    Indexed by partition like DynamoDB itself: a Query reads one partition, never the table, and
    finds its sort key range by bisection of the partition's sorted keys (kept until a key is
    added or removed), so paging through a large partition costs what each page returns. Change
    items through ``put`` and ``delete`` only (they keep that order up to date).
    """

    partitions: dict[str, dict[str, RawItem]] = field(default_factory=dict)
    _sorted_keys: dict[str, list[str]] = field(default_factory=dict, init=False, repr=False)

    @staticmethod
    def key_of(key: RawItem) -> tuple[str, str]:
        return key["pk"]["S"], key["sk"]["S"]

    def get(self, key: tuple[str, str]) -> RawItem | None:
        return self.partitions.get(key[0], {}).get(key[1])

    def put(self, item: RawItem) -> None:
        pk, sk = self.key_of(item)
        partition = self.partitions.setdefault(pk, {})
        if sk not in partition:
            self._sorted_keys.pop(pk, None)
        partition[sk] = item

    def delete(self, key: tuple[str, str]) -> None:
        if self.partitions.get(key[0], {}).pop(key[1], None) is not None:
            self._sorted_keys.pop(key[0], None)

    def partition(self, pk: str) -> dict[str, RawItem]:
        return self.partitions.get(pk, {})

    def sorted_keys(self, pk: str) -> list[str]:
        """The partition's sort keys in DynamoDB's order (code point order is UTF-8 byte order)."""
        keys = self._sorted_keys.get(pk)
        if keys is None:
            keys = self._sorted_keys[pk] = sorted(self.partition(pk))
        return keys

    def check(self, request: dict[str, Any], existing: RawItem | None) -> None:
        condition = request.get("ConditionExpression")
        if condition is None:
            return
        expression = _Expression(
            condition,
            request.get("ExpressionAttributeNames", {}),
            request.get("ExpressionAttributeValues", {}),
        )
        if not expression.evaluate(existing):
            raise ConditionFailedError(existing)


@dataclass
class FakeAws:
    """Answers DynamoDB and Secrets Manager requests; times itself so the bench can subtract."""

    table: FakeTable = field(default_factory=FakeTable)
    secrets: dict[str, str] = field(default_factory=dict)
    elapsed_ns: int = 0

    def install(self, events: Any) -> None:  # noqa: ANN401 - a botocore event emitter
        events.register("before-send.dynamodb", self._send)
        events.register("before-send.secrets-manager", self._send)

    # -- transport ------------------------------------------------------------------------
    def _send(self, request: Any, **_: Any) -> Any:  # noqa: ANN401 - botocore objects
        from botocore.awsrequest import (  # type: ignore[import-untyped]  # noqa: PLC0415
            AWSResponse,
        )

        started = time.perf_counter_ns()
        target = request.headers.get("X-Amz-Target", b"")
        target = target.decode() if isinstance(target, bytes) else str(target)
        operation = target.rpartition(".")[2]
        body = request.body
        payload = json.loads(body.decode() if isinstance(body, bytes) else body or "{}")
        status, answer = self.answer(operation, payload)
        response = AWSResponse(
            request.url,
            status,
            {"Content-Type": "application/x-amz-json-1.0", "x-amzn-RequestId": "fake"},
            _RawBody(json.dumps(answer).encode()),
        )
        self.elapsed_ns += time.perf_counter_ns() - started
        return response

    def answer(self, operation: str, request: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        handler = getattr(self, f"_op_{operation}", None)
        if handler is None:
            return 400, {"__type": "UnknownOperationException", "message": operation}
        try:
            return 200, handler(request)
        except ConditionFailedError as failure:
            error: dict[str, Any] = {
                "__type": "com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException",
                "message": "The conditional request failed",
            }
            if failure.old_item is not None and request.get("ReturnValuesOnConditionCheckFailure"):
                error["Item"] = failure.old_item
            return 400, error
        except _ValidationError as invalid:
            return 400, {
                "__type": "com.amazonaws.dynamodb.v20120810#ValidationException",
                "message": str(invalid),
            }
        except _TransactionCancelledError as cancelled:
            return 400, {
                "__type": "com.amazonaws.dynamodb.v20120810#TransactionCanceledException",
                "message": "Transaction cancelled, please refer cancellation reasons for specific "
                "reasons [" + ", ".join(cancelled.codes) + "]",
                "CancellationReasons": [{"Code": code} for code in cancelled.codes],
            }

    # -- DynamoDB operations --------------------------------------------------------------
    def _op_GetItem(self, request: dict[str, Any]) -> dict[str, Any]:  # noqa: N802
        item = self.table.get(self.table.key_of(request["Key"]))
        return {"Item": item} if item is not None else {}

    def _op_PutItem(self, request: dict[str, Any]) -> dict[str, Any]:  # noqa: N802
        item = request["Item"]
        self.table.check(request, self.table.get(self.table.key_of(item)))
        self.table.put(item)
        return {}

    def _op_UpdateItem(self, request: dict[str, Any]) -> dict[str, Any]:  # noqa: N802
        key = self.table.key_of(request["Key"])
        existing = self.table.get(key)
        self.table.check(request, existing)
        updated = _apply_update(
            existing or dict(request["Key"]),
            request["UpdateExpression"],
            request.get("ExpressionAttributeNames", {}),
            request.get("ExpressionAttributeValues", {}),
        )
        self.table.put(updated)
        return {"Attributes": updated} if request.get("ReturnValues") == "ALL_NEW" else {}

    def _op_DeleteItem(self, request: dict[str, Any]) -> dict[str, Any]:  # noqa: N802
        key = self.table.key_of(request["Key"])
        self.table.check(request, self.table.get(key))
        self.table.delete(key)
        return {}

    def _op_Query(self, request: dict[str, Any]) -> dict[str, Any]:  # noqa: N802
        """Key condition, ``ScanIndexForward``, ``ExclusiveStartKey`` and ``Limit`` (evaluated
        items, like DynamoDB; ``LastEvaluatedKey`` only when more items match). Every read is
        strongly consistent, so ``ConsistentRead`` changes nothing."""
        pk, sort_condition = _key_condition(request)
        keys = self.table.sorted_keys(pk)
        low, high = _sort_key_range(keys, sort_condition) if sort_condition else (0, len(keys))
        forward = request.get("ScanIndexForward", True)
        start = request.get("ExclusiveStartKey")
        if start is not None:
            start_pk, start_sk = self.table.key_of(start)
            if start_pk != pk:
                raise _ValidationError("The provided starting key is invalid")
            if forward:
                low = max(low, bisect_right(keys, start_sk))
            else:
                high = min(high, bisect_left(keys, start_sk))
        limit = request.get("Limit") or max(high - low, 0)
        if forward:
            page = keys[low : min(high, low + limit)]
        else:
            page = keys[max(low, high - limit) : high][::-1]
        partition = self.table.partition(pk)
        answer: dict[str, Any] = {
            "Items": [partition[sk] for sk in page],
            "Count": len(page),
            "ScannedCount": len(page),
        }
        if high - low > limit:
            answer["LastEvaluatedKey"] = {"pk": {"S": pk}, "sk": {"S": page[-1]}}
        return answer

    def _op_TransactWriteItems(self, request: dict[str, Any]) -> dict[str, Any]:  # noqa: N802
        codes: list[str] = []
        for entry in request["TransactItems"]:
            (kind, action), *_ = entry.items()
            key = action["Item"] if kind == "Put" else action["Key"]
            try:
                self.table.check(action, self.table.get(self.table.key_of(key)))
                codes.append("None")
            except ConditionFailedError:
                codes.append("ConditionalCheckFailed")
        if any(code != "None" for code in codes):
            raise _TransactionCancelledError(codes)
        for entry in request["TransactItems"]:
            (kind, action), *_ = entry.items()
            if kind == "Put":
                self.table.put(action["Item"])
            elif kind == "Delete":
                self.table.delete(self.table.key_of(action["Key"]))
        return {}

    def _op_BatchWriteItem(self, request: dict[str, Any]) -> dict[str, Any]:  # noqa: N802
        for writes in request["RequestItems"].values():
            for write in writes:
                if "DeleteRequest" in write:
                    self.table.delete(self.table.key_of(write["DeleteRequest"]["Key"]))
                else:
                    self.table.put(write["PutRequest"]["Item"])
        return {"UnprocessedItems": {}}

    # -- Secrets Manager ------------------------------------------------------------------
    def _op_GetSecretValue(self, request: dict[str, Any]) -> dict[str, Any]:  # noqa: N802
        secret_id = request["SecretId"]
        return {"ARN": secret_id, "Name": "partner", "SecretString": self.secrets[secret_id]}


class _ValidationError(Exception):
    """A request DynamoDB rejects with a ValidationException."""


class _TransactionCancelledError(Exception):
    def __init__(self, codes: list[str]) -> None:
        super().__init__("transaction cancelled")
        self.codes = codes


@dataclass
class CallCounter:
    """Every AWS API call made through the hooked clients, in order (botocore events)."""

    calls: list[tuple[str, str]] = field(default_factory=list)
    seen: set[str] = field(default_factory=set)

    def install(self, events: Any) -> None:  # noqa: ANN401 - a botocore event emitter
        # before-parameter-build carries the API parameters (before-call has the HTTP request).
        events.register("before-parameter-build", self._record)

    def _record(self, model: Any, params: dict[str, Any], **_: Any) -> None:  # noqa: ANN401
        service = str(model.service_model.service_name)
        self.calls.append((service, str(model.name)))
        self.seen.add(f"{service}:{model.name}")

    def take(self) -> list[tuple[str, str]]:
        taken, self.calls = self.calls, []
        return taken
