"""SDK retries, logged with what the emulator answered the attempt before.

Every AWS SDK numbers the attempts of one API call: ``amz-sdk-invocation-id`` is the same on each
attempt and ``amz-sdk-request: attempt=N; max=M`` counts them (the AWS SDKs' retry behaviour,
https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html; the header format as
the SDKs write it, e.g. aws-sdk-go-v2 ``aws/retry/middleware.go``, botocore ``handlers.py``).
An SDK retries on a 5xx, a throttling error or a connection error, also for a call that is not
idempotent: when the first attempt of a create had in fact succeeded (its answer was lost), the
retry is refused as a duplicate, on AWS as here (``WAFDuplicateItemException`` for CreateWebACL).

So that such a failure explains itself in ``devstack.log``:

* :class:`RetryLog` remembers the answer to every attempt (status, error code, time) by
  invocation id, and logs each attempt > 1 with the answer to the previous one, or says that
  the emulator never answered it (a client that gave up on an attempt shows up this way: the
  next attempt finds the previous one unanswered, or answered after the client had left).

**A retry of an attempt the emulator answered 2xx gets that answer again** (same invocation id,
same method, path, query and body), instead of running a second time. This is a deliberate
deviation: on AWS the retry would run again (a create then fails as a duplicate). Here the
Terraform provider (aws-sdk-go-v2) resends, ~0.1 s later on a new connection, about one call in a
few hundred that the emulator had answered 200 on loopback (plan and apply, reads and creates
alike; 3 to 17 per CI run), and a resent create then failed ``make up`` (``CreateStage`` 409,
``WafV2DuplicateItem``). A packet capture of two such calls (tcpdump on ``lo``, 2026-12-02)
shows the same sequence both times: the provider sent the request's headers, then its body 13-20
ms later in a second segment (a loaded machine; Go flushes the headers first when the body is
not an in-memory reader); the emulator answered ~3 ms after the body; the provider closed the
connection (FIN) 0.2 ms after the answer's headers arrived, before its body, reset it when the
body came, and resent the call. The client gives up on an answer that reached it; nothing the
emulator writes differs from the calls that succeed. Through a TCP proxy or under strace (a
slower client) it did not occur. The functions' botocore resends the same way when the emulator
is too slow for their 3 s read timeout, which AWS answering in milliseconds would not be. The
warning line stays, with "replayed that answer" in it, so every occurrence is still visible.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, replace

from devstack.wsgi import AwsRequest, Response

LOGGER = logging.getLogger("devstack.retries")

_ATTEMPT = re.compile(r"attempt=(?P<attempt>\d+)(?:;\s*max=(?P<max>\d+))?")
# Enough for the ~1,000 calls of a `make up`; the oldest are forgotten first.
DEFAULT_CAPACITY = 4096
# Method, path, query string and body of a request.
RequestKey = tuple[str, str, str, bytes]


@dataclass(frozen=True)
class Attempt:
    """One SDK attempt as the emulator saw it."""

    operation: str
    attempt: int
    max_attempts: int | None
    status: int | None  # None: not answered (yet)
    error_code: str | None
    at: float  # time.monotonic() of the answer (or of the arrival while unanswered)


@dataclass(frozen=True)
class Arrival:
    """An SDK attempt being served: its invocation id and what was known when it arrived."""

    invocation: str
    attempt: Attempt
    request: RequestKey
    # The previous attempt's 2xx answer when this attempt resends the same request: served again.
    replay: Response | None = None


def operation_of(request: AwsRequest) -> str:
    """A readable name for the call: ``wafv2 us-east-1 CreateWebACL`` / ``sqs POST /``."""
    service = request.service or "?"
    region = request.region or "-"
    action = request.target or dict(request.query).get("Action") or _form_action(request)
    what = action or f"{request.method} {request.path}"
    return f"{service} {region} {what}"


def _form_action(request: AwsRequest) -> str | None:
    """The query protocol's ``Action`` from a form body (SQS, SNS, IAM, STS, CloudWatch)."""
    if "x-www-form-urlencoded" not in request.headers.get("content-type", ""):
        return None
    match = re.search(rb"(?:^|&)Action=([A-Za-z0-9]+)", request.body)
    return match.group(1).decode() if match else None


def sdk_attempt(headers: dict[str, str]) -> tuple[str, int, int | None] | None:
    """(invocation id, attempt, max attempts) from an SDK request's headers, or None."""
    invocation = headers.get("amz-sdk-invocation-id")
    match = _ATTEMPT.search(headers.get("amz-sdk-request", ""))
    if not invocation or match is None:
        return None
    maximum = match.group("max")
    return invocation, int(match.group("attempt")), int(maximum) if maximum else None


def request_key(request: AwsRequest) -> RequestKey:
    """What stays the same on every attempt of one call (the signature and date do not)."""
    return request.method, request.path, request.query_string, request.body


def error_code_of(response: Response) -> str | None:
    """The AWS error code of an error answer (header of the JSON protocols, body otherwise)."""
    if response.status < 400:
        return None
    header = response.header("x-amzn-ErrorType")
    if header:
        return header.split(":", 1)[0]
    document = response.json()
    code = document.get("__type") or document.get("code") or document.get("Code")
    if isinstance(code, str):
        return code.rpartition("#")[2]
    match = re.search(rb"<Code>([^<]+)</Code>", response.body)
    return match.group(1).decode() if match else None


class RetryLog:
    """The answers to the last ``capacity`` SDK attempts, by invocation id (thread-safe)."""

    def __init__(self, capacity: int = DEFAULT_CAPACITY) -> None:
        self._capacity = capacity
        self._lock = threading.Lock()
        self._last: OrderedDict[str, Attempt] = OrderedDict()
        # The last 2xx answer of each invocation with its request (bounded alike).
        self._answers: OrderedDict[str, tuple[RequestKey, Response]] = OrderedDict()

    def arrived(self, request: AwsRequest) -> Arrival | None:
        """Before the request is served: an attempt > 1 is logged with the previous answer.
        Returns what :meth:`answered` needs (None: not an SDK request), with the answer to
        replay when the previous attempt of the same request was answered 2xx."""
        identity = sdk_attempt(request.headers)
        if identity is None:
            return None
        invocation, attempt, maximum = identity
        pending = Attempt(operation_of(request), attempt, maximum, None, None, _now())
        key = request_key(request)
        with self._lock:
            previous = self._last.get(invocation)
            kept = self._answers.get(invocation)
            self._remember(invocation, pending)
        replay = None
        if attempt > 1 and kept is not None and kept[0] == key:
            replay = kept[1]
        if attempt > 1:
            LOGGER.warning(
                "SDK retry: %s attempt %d/%s (invocation %s); %s%s",
                pending.operation,
                attempt,
                maximum or "?",
                invocation,
                _describe(previous, attempt),
                "; replayed that answer" if replay is not None else "",
            )
        return Arrival(invocation, pending, key, replay)

    def answered(self, arrival: Arrival | None, response: Response) -> None:
        """After the request is served: remember the answer of the attempt ``arrived`` saw
        (a 2xx answer whole, for a resend of the same request)."""
        if arrival is None:
            return
        answer = replace(
            arrival.attempt, status=response.status, error_code=error_code_of(response), at=_now()
        )
        with self._lock:
            self._remember(arrival.invocation, answer)
            if 200 <= response.status < 300:
                self._answers[arrival.invocation] = (arrival.request, response)
                self._answers.move_to_end(arrival.invocation)
                while len(self._answers) > self._capacity:
                    self._answers.popitem(last=False)
            else:
                self._answers.pop(arrival.invocation, None)

    def last(self, invocation: str) -> Attempt | None:
        with self._lock:
            return self._last.get(invocation)

    def _remember(self, invocation: str, attempt: Attempt) -> None:
        self._last[invocation] = attempt
        self._last.move_to_end(invocation)
        while len(self._last) > self._capacity:
            self._last.popitem(last=False)


def _now() -> float:
    return time.monotonic()


def _describe(previous: Attempt | None, attempt: int) -> str:
    if previous is None:
        return (
            f"attempt {attempt - 1} never reached the emulator's application "
            "(refused or reset connection, or forgotten)"
        )
    ago = f"{_now() - previous.at:.1f} s ago"
    if previous.status is None:
        return f"attempt {previous.attempt} arrived {ago} and was not answered yet"
    error = f" {previous.error_code}" if previous.error_code else ""
    return (
        f"attempt {previous.attempt} was answered {previous.status}{error} {ago} "
        "(a retry after a 2xx means the client lost that answer)"
    )
