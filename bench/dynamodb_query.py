"""CPU time of the emulator's answer to the transactions list's Query, in process.

``python -m bench.dynamodb_query --items 50 --limit 20``: the Query ``GET /v1/transactions``
sends (src/meridian/repository.py ``list_transactions``) on a partition of ``--items``
transactions and a profile, answered by devstack.dynamodb.wire's plain Query path and by moto's
handler (the baseline), in interleaved rounds; prints each one's fastest round, in CPU ms per
Query, and their ratio. CPU time and a ratio from the same run, because the machine is shared.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from collections.abc import Callable

# As the emulator runs (devstack/server.py): IAM's managed policies loaded make the heap large,
# and the garbage collector's full passes, triggered by what each answer allocates, cost with it.
os.environ.setdefault("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")

from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.dynamodb.models import dynamodb_backends

from bench.wire_items import transaction_item
from devstack.dynamodb import wire
from devstack.wsgi import AwsRequest, Response, environ_for, read_request

_REGION = "us-east-1"
_HEADERS = [
    ("X-Amz-Target", "DynamoDB_20120810.Query"),
    ("Content-Type", "application/x-amz-json-1.0"),
    (
        "Authorization",
        f"AWS4-HMAC-SHA256 Credential=test/20261202/{_REGION}/dynamodb/aws4_request, "
        "SignedHeaders=host, Signature=x",
    ),
]


def _table(name: str, items: int) -> None:
    backend = dynamodb_backends[DEFAULT_ACCOUNT_ID][_REGION]
    backend.create_table(
        name,
        schema=[
            {"AttributeName": "pk", "KeyType": "HASH"},
            {"AttributeName": "sk", "KeyType": "RANGE"},
        ],
        throughput=None,
        attr=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
        ],
        global_indexes=None,
        indexes=None,
        streams=None,
        billing_mode="PAY_PER_REQUEST",
        sse_specification=None,
        tags=[],
        deletion_protection_enabled=False,
        warm_throughput=None,
    )
    for index in range(items):
        backend.put_item(name, transaction_item("USER#u", index))
    backend.put_item(name, {"pk": {"S": "USER#u"}, "sk": {"S": "PROFILE"}, "name": {"S": "x"}})


def _request(name: str, limit: int) -> AwsRequest:
    body = json.dumps(
        {
            "TableName": name,
            "KeyConditionExpression": "pk = :pk AND begins_with(sk, :prefix)",
            "ExpressionAttributeValues": {":pk": {"S": "USER#u"}, ":prefix": {"S": "TXN#"}},
            "ScanIndexForward": False,
            "ConsistentRead": True,
            "Limit": limit,
        }
    ).encode()
    return read_request(environ_for("POST", "http://127.0.0.1:4566/", _HEADERS, body, "127.0.0.1"))


def _cpu_ms(answer: Callable[[AwsRequest], Response], name: str, limit: int, count: int) -> float:
    """CPU ms per Query, the request read from its bytes each time as the listener does."""
    started = time.process_time()
    for _ in range(count):
        answer(_request(name, limit))
    return (time.process_time() - started) / count * 1000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.dynamodb_query", description=__doc__)
    parser.add_argument("--items", type=int, default=50)
    parser.add_argument("--limit", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=7)
    # Rounds long enough to take their share of full garbage collections.
    parser.add_argument("--queries", type=int, default=400, help="per round, fast path")
    arguments = parser.parse_args(argv)
    name = f"bench-query-{arguments.items}"
    _table(name, arguments.items)
    fast, moto = (
        wire.serve(_request(name, arguments.limit)),
        wire.through_moto(_request(name, arguments.limit)),
    )
    assert (fast.status, fast.body) == (moto.status, moto.body), "the answers differ"  # noqa: S101
    fast_rounds: list[float] = []
    moto_rounds: list[float] = []
    for _ in range(arguments.rounds):  # interleaved: both see the same load from other jobs
        fast_rounds.append(_cpu_ms(wire.serve, name, arguments.limit, arguments.queries))
        moto_rounds.append(
            _cpu_ms(wire.through_moto, name, arguments.limit, max(1, arguments.queries // 8))
        )
    fastest, baseline = min(fast_rounds), min(moto_rounds)
    print(
        f"{arguments.items} items, Limit {arguments.limit}: plain Query path {fastest:.3f} ms, "
        f"moto's handler {baseline:.3f} ms (CPU per Query, fastest of {arguments.rounds}); "
        f"{baseline / fastest:.1f}x"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
