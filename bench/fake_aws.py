"""DynamoDB (and the Secrets Manager read of the authorizer) answered in memory, at the HTTP layer.

The fake hangs on botocore's ``before-send`` event: botocore still validates the parameters,
serialises the request, signs it and parses the response exactly as it does against AWS; only the
network round trip is replaced. Unlike botocore's ``Stubber`` (which short-circuits before
serialisation) this keeps the client-side cost the Lambda really pays inside the measured time.

The table is stateful (a dict of items keyed by ``pk``/``sk``) and understands the expressions the
application and Powertools' idempotency layer send, so conditional writes, optimistic locking and
idempotent replays behave as they do on DynamoDB. ``CallCounter`` counts every API call through
``before-parameter-build`` so the bench can check calls per request independently of the fake.
"""

from __future__ import annotations

import json
import re
import time
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

    Indexed by partition like DynamoDB itself: a Query reads one partition, never the table.
    """

    partitions: dict[str, dict[str, RawItem]] = field(default_factory=dict)

    @staticmethod
    def key_of(key: RawItem) -> tuple[str, str]:
        return key["pk"]["S"], key["sk"]["S"]

    def get(self, key: tuple[str, str]) -> RawItem | None:
        return self.partitions.get(key[0], {}).get(key[1])

    def put(self, item: RawItem) -> None:
        pk, sk = self.key_of(item)
        self.partitions.setdefault(pk, {})[sk] = item

    def delete(self, key: tuple[str, str]) -> None:
        self.partitions.get(key[0], {}).pop(key[1], None)

    def partition(self, pk: str) -> dict[str, RawItem]:
        return self.partitions.get(pk, {})

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
        expression = _Expression(
            request["KeyConditionExpression"],
            request.get("ExpressionAttributeNames", {}),
            request.get("ExpressionAttributeValues", {}),
        )
        values = request.get("ExpressionAttributeValues", {})
        pk_placeholder = re.search(r"\bpk\s*=\s*(:\w+)", request["KeyConditionExpression"])
        if pk_placeholder is None:
            raise ValueError("a Query needs pk = :value in its key condition")
        pk = values[pk_placeholder.group(1)]["S"]
        matches = sorted(
            ((pk, sk), item)
            for sk, item in self.table.partition(pk).items()
            if expression.evaluate(item)
        )
        if not request.get("ScanIndexForward", True):
            matches.reverse()
        start = request.get("ExclusiveStartKey")
        if start is not None:
            start_key = self.table.key_of(start)
            keys = [key for key, _ in matches]
            matches = matches[keys.index(start_key) + 1 :] if start_key in keys else []
        limit = request.get("Limit")
        page = matches[:limit] if limit else matches
        answer: dict[str, Any] = {"Items": [item for _, item in page], "Count": len(page)}
        if limit and len(matches) > limit:
            last = page[-1][1]
            answer["LastEvaluatedKey"] = {"pk": last["pk"], "sk": last["sk"]}
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


class _TransactionCancelledError(Exception):
    def __init__(self, codes: list[str]) -> None:
        super().__init__("transaction cancelled")
        self.codes = codes


@dataclass
class CallCounter:
    """Every AWS API call made through the hooked clients, in order (botocore events)."""

    calls: list[tuple[str, str, bool]] = field(default_factory=list)
    seen: set[str] = field(default_factory=set)

    def install(self, events: Any) -> None:  # noqa: ANN401 - a botocore event emitter
        # before-parameter-build carries the API parameters (before-call has the HTTP request).
        events.register("before-parameter-build", self._record)

    def _record(self, model: Any, params: dict[str, Any], **_: Any) -> None:  # noqa: ANN401
        service = str(model.service_model.service_name)
        self.calls.append((service, str(model.name), _touches_idempotency(params)))
        self.seen.add(f"{service}:{model.name}")

    def take(self) -> list[tuple[str, str, bool]]:
        taken, self.calls = self.calls, []
        return taken


def _touches_idempotency(params: dict[str, Any]) -> bool:
    """Whether a request reads or writes a Powertools idempotency record (its static pk)."""
    return "IDEMPOTENCY#" in json.dumps(params.get("Key") or params.get("Item") or {})
