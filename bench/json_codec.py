"""CPU time of the JSON the emulator writes on every stage request, stdlib against jsoncodec.

``python -m bench.json_codec``: the documents of one ``GET /v1/transactions`` as the emulator
writes them (the function's 20-item Query answer, the ~3 KB Lambda proxy event, the invocation
frame carrying it, the frame answering the function's AWS call with the Query answer in base64),
each written by ``json.dumps(...).encode()`` (the baseline) and by ``devstack.jsoncodec.dumps``
in interleaved rounds; prints each one's fastest round in CPU µs per document and the ratio.
CPU time and ratios from the same run, because the machine is shared.
"""

from __future__ import annotations

import argparse
import base64
import json
import time
from collections.abc import Callable
from typing import Any

from bench.wire_items import transaction_item
from devstack import jsoncodec


def _query_answer(items: int) -> dict[str, Any]:
    """A transactions page as the plain Query path builds it (src/meridian/repository.py)."""
    pk = "USER#3f6c1e2a-7d7e-4b61-9d8e-0c1f2a3b4c5d"
    page = [transaction_item(pk, index) for index in range(items)]
    return {
        "Count": items,
        "ScannedCount": items,
        "Items": page,
        "LastEvaluatedKey": {"pk": page[-1]["pk"], "sk": page[-1]["sk"]},
    }


def _proxy_event() -> dict[str, Any]:
    """A REST proxy event of an authorised GET (devstack/runtime/apigateway.py _proxy_event)."""
    headers = {
        "Accept": "application/json",
        "Accept-Encoding": "gzip, deflate",
        "Authorization": "eyJraWQiOiJrZXkiLCJhbGciOiJSUzI1NiJ9." + "x" * 600,
        "Host": "abcdef1234.execute-api.us-east-1.amazonaws.com",
        "User-Agent": "python-requests/2.32.3",
        "X-Amzn-Trace-Id": "Root=1-6751c0de-0123456789abcdef01234567;Sampled=0",
        "X-Forwarded-For": "127.0.0.1",
        "X-Forwarded-Port": "443",
        "X-Forwarded-Proto": "https",
        "X-Origin-Verify": "0123456789abcdef0123456789abcdef",
    }
    claims = {
        "sub": "3f6c1e2a-7d7e-4b61-9d8e-0c1f2a3b4c5d",
        "iss": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_abcdefgh",
        "client_id": "1example23456789",
        "token_use": "access",
        "scope": "aws.cognito.signin.user.admin",
        "auth_time": "1764633600",
        "exp": "Wed Dec 02 18:00:00 UTC 2026",
        "iat": "Wed Dec 02 17:00:00 UTC 2026",
        "username": "3f6c1e2a-7d7e-4b61-9d8e-0c1f2a3b4c5d",
    }
    return {
        "resource": "/v1/transactions",
        "path": "/v1/transactions",
        "httpMethod": "GET",
        "headers": headers,
        "multiValueHeaders": {name: [value] for name, value in headers.items()},
        "queryStringParameters": {"limit": "20"},
        "multiValueQueryStringParameters": {"limit": ["20"]},
        "pathParameters": None,
        "stageVariables": None,
        "requestContext": {
            "accountId": "000000000000",
            "apiId": "abcdef1234",
            "resourceId": "/v1/transactions",
            "stage": "v1",
            "resourcePath": "/v1/transactions",
            "httpMethod": "GET",
            "requestId": "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
            "extendedRequestId": "BQGojGf4IAMFZ0Q=",
            "path": "/v1/v1/transactions",
            "protocol": "HTTP/1.1",
            "requestTime": "02/Dec/2026:17:00:00 +0000",
            "requestTimeEpoch": 1764694800000,
            "domainName": headers["Host"],
            "domainPrefix": "abcdef1234",
            "identity": {"sourceIp": "127.0.0.1", "userAgent": headers["User-Agent"]},
            "authorizer": {"claims": claims},
        },
        "body": None,
        "isBase64Encoded": False,
    }


def _documents() -> dict[str, object]:
    answer = _query_answer(20)
    event = _proxy_event()
    return {
        "Query answer (20 items)": answer,
        "proxy event": event,
        "invocation frame": {
            "request_id": "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
            "payload": json.dumps(event),
            "deadline_ms": 1764694810000,
        },
        "AWS call answer frame": {
            "status": 200,
            "headers": [["Content-Type", "application/x-amz-json-1.0"], ["x-amz-crc32", "1"]],
            "body": base64.b64encode(json.dumps(answer).encode()).decode("ascii"),
        },
    }


def _cpu_us(write: Callable[[object], bytes], document: object, count: int) -> float:
    started = time.process_time()
    for _ in range(count):
        write(document)
    return (time.process_time() - started) / count * 1e6


def _stdlib(document: object) -> bytes:
    return json.dumps(document).encode()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.json_codec", description=__doc__)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--writes", type=int, default=2000, help="per round and document")
    arguments = parser.parse_args(argv)
    for label, document in _documents().items():
        assert json.loads(jsoncodec.dumps(document)) == document  # noqa: S101 - same JSON
        baseline: list[float] = []
        codec: list[float] = []
        for _ in range(arguments.rounds):  # interleaved: both see the same load from other jobs
            baseline.append(_cpu_us(_stdlib, document, arguments.writes))
            codec.append(_cpu_us(jsoncodec.dumps, document, arguments.writes))
        size = len(_stdlib(document))
        print(
            f"{label} ({size} bytes): json.dumps {min(baseline):.1f} µs, "
            f"jsoncodec {min(codec):.1f} µs (CPU per document, fastest of {arguments.rounds}); "
            f"{min(baseline) / min(codec):.1f}x"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
