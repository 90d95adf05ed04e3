"""CPU time of the functions' DynamoDB reads, in process: items straight from the JSON body.

``python -m bench.item_reads``: ``GET /v1/transactions``'s Query (a page of ``--items``
transactions, as ``Repository.list_transactions`` sends it) and ``GET /v1/transactions/{id}``'s
GetItem, answered by a ``before-send`` handler with a captured body, so only the client's work is
measured: building and signing the request, parsing the answer, reading the items.

- before: a plain boto3 client (botocore's shape-directed parser walks every AttributeValue) and
  boto3's ``TypeDeserializer``, as the functions read until session 7;
- after: ``meridian.aws.read_items_directly`` (items taken from the JSON body at botocore's
  ``before-parse`` event) and ``meridian.events.items.from_ddb``.

Both run the same repository methods (``list_transactions``, ``get_transaction``).

Interleaved rounds, CPU time (``time.process_time``), fastest round of each: the machine is
shared, so only ratios from the same run mean anything.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import time
from collections.abc import Callable, Iterator
from typing import Any
from unittest import mock

from bench.scenarios import ROOT

# The functions' code from src/, as the warm measures import it; signing needs credentials only.
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("AWS_ACCESS_KEY_ID", "bench")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "bench")

import boto3  # type: ignore[import-untyped]
from boto3.dynamodb.types import TypeDeserializer  # type: ignore[import-untyped]
from botocore.awsrequest import AWSResponse  # type: ignore[import-untyped]

from meridian import aws, repository
from meridian.identity import Caller
from meridian.keys import TRANSACTION_PREFIX, caller_pk
from meridian.repository import Repository

TABLE = "meridian-bench"
REGION = "us-east-1"
CALLER = Caller.user("bench-user")
FIRST_ID = "01JBENCH0000000000000000"


class _RawBody:
    """What ``AWSResponse`` reads its body from (the urllib3 response, normally)."""

    def __init__(self, payload: bytes) -> None:
        self.payload = payload

    def stream(self, **_kwargs: Any) -> Iterator[bytes]:  # noqa: ANN401 - urllib3's signature
        yield self.payload


def transaction_item(n: int) -> dict[str, Any]:
    """One transaction item as DynamoDB returns it (the attributes repository.py writes)."""
    transaction_id = f"{FIRST_ID}{n:02d}"
    return {
        "pk": {"S": caller_pk(CALLER)},
        "sk": {"S": TRANSACTION_PREFIX + transaction_id},
        "key_digest": {"S": f"{n:064x}"},
        "written_region": {"S": REGION},
        "transaction_id": {"S": transaction_id},
        "amount": {"N": f"{n * 7 + 0.25:.2f}"},
        "currency": {"S": "EUR"},
        "type": {"S": "debit"},
        "status": {"S": "completed"},
        "created_at": {"S": f"2026-12-02T10:{n % 60:02d}:00.000Z"},
        "reference": {"S": f"invoice {n}"},
    }


def answer_bodies(items: int) -> dict[str, bytes]:
    page = [transaction_item(n) for n in range(items)]
    return {
        "Query": json.dumps(
            {
                "Count": items,
                "ScannedCount": items,
                "Items": page,
                "LastEvaluatedKey": {"pk": page[-1]["pk"], "sk": page[-1]["sk"]},
            }
        ).encode(),
        "GetItem": json.dumps({"Item": page[0]}).encode(),
    }


def answered_client(bodies: dict[str, bytes], *, direct: bool) -> Any:  # noqa: ANN401
    client = boto3.client("dynamodb", region_name=REGION, config=aws.CLIENT_CONFIG)

    def answer(
        request: Any,  # noqa: ANN401 - botocore's AWSPreparedRequest
        event_name: str,
        **_kwargs: Any,  # noqa: ANN401
    ) -> AWSResponse:
        headers = {"x-amzn-RequestId": "bench", "Content-Type": "application/x-amz-json-1.0"}
        body = bodies[event_name.rsplit(".", 1)[-1]]
        return AWSResponse("https://dynamodb", 200, headers, _RawBody(body))

    client.meta.events.register("before-send.dynamodb", answer)
    return aws.read_items_directly(client) if direct else client


def old_reader() -> contextlib.AbstractContextManager[object]:
    """The repository's item reader swapped for ``TypeDeserializer``, as until session 7 (for a
    whole round: patching per call would bill the patch to the old way)."""
    deserializer = TypeDeserializer()

    def with_type_deserializer(item: dict[str, Any]) -> dict[str, Any]:
        return {name: deserializer.deserialize(value) for name, value in item.items()}

    return mock.patch.object(repository, "_from_ddb", with_type_deserializer)


def repository_reads(client: Any, items: int) -> dict[str, Callable[[], object]]:  # noqa: ANN401
    """``GET /v1/transactions`` and ``GET /v1/transactions/{id}``'s repository calls."""
    reads = Repository(TABLE, client)
    return {
        "list": lambda: reads.list_transactions(CALLER, items, None).items,
        "get": lambda: reads.get_transaction(CALLER, f"{FIRST_ID}00"),
    }


def cpu_ms(call: Callable[[], object], count: int) -> float:
    started = time.process_time()
    for _ in range(count):
        call()
    return (time.process_time() - started) / count * 1000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.item_reads", description=__doc__)
    parser.add_argument("--items", type=int, default=20, help="transactions in the Query page")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--calls", type=int, default=300, help="per round and path")
    arguments = parser.parse_args(argv)
    bodies = answer_bodies(arguments.items)
    before = repository_reads(answered_client(bodies, direct=False), arguments.items)
    after = repository_reads(answered_client(bodies, direct=True), arguments.items)
    for read in ("list", "get"):
        with old_reader():
            old = before[read]()
        if old != after[read]():
            raise SystemExit(f"{read}: the two paths read different transactions")
    rounds: dict[tuple[str, str], list[float]] = {}
    for _ in range(arguments.rounds):  # interleaved: both see the same load from other jobs
        for read in ("list", "get"):
            with old_reader():
                rounds.setdefault((read, "before"), []).append(
                    cpu_ms(before[read], arguments.calls)
                )
            rounds.setdefault((read, "after"), []).append(cpu_ms(after[read], arguments.calls))
    for read, label in (("list", f"Query, {arguments.items} items"), ("get", "GetItem")):
        old, new = min(rounds[(read, "before")]), min(rounds[(read, "after")])
        print(
            f"{label}: before {old:.3f} ms, after {new:.3f} ms CPU per read "
            f"(fastest of {arguments.rounds} rounds of {arguments.calls}); "
            f"after/before {new / old:.2f}, saved {old - new:.3f} ms"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
