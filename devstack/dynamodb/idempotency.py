"""TransactWriteItems' ClientRequestToken: the same request again within 10 minutes is not
applied again (moto 5.2.1 ignores the token and applies every call).

DynamoDB: "Providing a ClientRequestToken makes the call to TransactWriteItems idempotent,
meaning that multiple identical calls have the same effect as one single call ... A client
request token is valid for 10 minutes after the first request that uses it is completed. After
10 minutes, any request with the same client token is treated as a new request ... If you submit
a request with the same client token but a change in other parameters within the 10-minute
idempotency window, DynamoDB returns an IdempotentParameterMismatch exception"
(https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactWriteItems.html).
It matters because botocore fills the token itself when the caller does not
(``ClientRequestToken`` carries the ``idempotencyToken`` trait in
https://github.com/boto/botocore/blob/develop/botocore/data/dynamodb/2012-08-10/service-2.json;
``botocore.handlers.generate_idempotent_uuid`` runs before the request is built) and sends the
same body, token included, on every retry: a transaction whose answer was lost (a timeout, a 500
after the write) is retried with its token, and DynamoDB answers success without writing again.

What the devstack keeps, per (Region, token): a digest of the request's other parameters, the
answer and when it completed. Only an applied transaction (200) is remembered: a cancelled or
refused one changed nothing, and AWS does not document what a retry of it gets (here: it runs
again). The replayed answer is the first one (AWS: the same result, the consumed capacity may
differ). Callers hold the DynamoDB filler's lock, so a token is never in use twice at once (AWS's
``TransactionInProgressException`` for that case is not modelled).
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
import uuid
import zlib
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from devstack.wsgi import Response, aws_json_error

WINDOW_SECONDS = 600.0  # "valid for 10 minutes after the first request that uses it is completed"
TOKEN = "ClientRequestToken"  # noqa: S105 - the parameter's name, not a secret
MISMATCH = "com.amazonaws.dynamodb.v20120810#IdempotentParameterMismatchException"


@dataclass(frozen=True)
class _Used:
    digest: str
    answer: Response
    completed_at: float


class TransactionTokens:
    """The ClientRequestTokens of applied transactions, for ``WINDOW_SECONDS`` each.

    ``clock`` is public so that tests can move it (seconds; monotonic by default)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._used: OrderedDict[tuple[str, str], _Used] = OrderedDict()  # by completion time
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._used)

    def replay(self, region: str, body: dict[str, Any]) -> Response | None:
        """The answer to a TransactWriteItems that reuses a live token: the first answer again
        (same other parameters) or a 400 IdempotentParameterMismatchException (different ones);
        None when the request has no token, or a new or expired one (it is then applied)."""
        token = body.get(TOKEN)
        if not isinstance(token, str):
            return None
        with self._lock:
            self._expire()
            used = self._used.get((region, token))
        if used is None:
            return None
        if used.digest != _digest(body):
            return aws_json_error(
                400,
                MISMATCH,
                "Request has a ClientRequestToken already used with other parameters "
                "within the idempotency window",
            )
        return _fresh(used.answer)

    def remember(self, region: str, body: dict[str, Any], answer: Response) -> None:
        """Record an applied transaction's token (ignored: no token, or not a 200)."""
        token = body.get(TOKEN)
        if not isinstance(token, str) or answer.status != 200:
            return
        with self._lock:
            self._expire()
            self._used.pop((region, token), None)
            self._used[(region, token)] = _Used(_digest(body), answer, self.clock())

    def _expire(self) -> None:
        now = self.clock()
        while self._used:
            first = next(iter(self._used.values()))
            if now - first.completed_at <= WINDOW_SECONDS:
                return
            self._used.popitem(last=False)


def _digest(body: dict[str, Any]) -> str:
    """The request's parameters other than the token, in a canonical form."""
    others = {name: value for name, value in body.items() if name != TOKEN}
    canonical = json.dumps(others, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _fresh(answer: Response) -> Response:
    """The remembered answer with a request id of its own (and the CRC botocore checks)."""
    headers = [
        (name, value)
        for name, value in answer.headers
        if name.lower() not in ("x-amzn-requestid", "x-amz-crc32")
    ]
    headers += [
        ("x-amzn-RequestId", str(uuid.uuid4())),
        ("x-amz-crc32", str(zlib.crc32(answer.body) & 0xFFFFFFFF)),
    ]
    return Response(answer.status, headers, answer.body)
