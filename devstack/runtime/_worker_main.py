"""One warm Lambda worker: imports a handler once and runs it for each invocation it is sent.

Run by ``lambda_workers.LambdaRuntime`` as ``python -I _worker_main.py <task_root> <handler>``
with the function's environment. It must not import ``devstack`` (the function's code directory
is the first entry of ``sys.path``, as ``/var/task`` is on Lambda).

Protocol with the parent: frames of ``4-byte big-endian length + UTF-8 JSON`` on two inherited
pipes (file descriptors given in ``DEVSTACK_WORKER_FDS`` = "read,write"). The function's stdout
and stderr are the worker's own, read line by line by the parent as the function's log; after each
invocation the worker prints a sentinel line so the parent knows where that invocation's log ends.

Frames, parent → worker: ``{"request_id", "payload", "deadline_epoch_ms", "trace_id"}``.
Frames, worker → parent: first ``{"ready": true, "init_ms"}`` or ``{"ready": false, "error"}``,
then per invocation ``{"ok": true, "result": <json text>}`` or ``{"ok": false, "error": {...}}``
plus ``max_rss_mb``.

The function's AWS calls: when the parent sets ``DEVSTACK_AWS_CALLS_ENDPOINT`` (the emulator's
URL, the function's ``AWS_ENDPOINT_URL``), every botocore session the function makes sends a
call for that endpoint as a frame ``{"aws_call": {"method", "url", "headers", "body"}}`` (body in
base64) and takes the parent's answer ``{"status", "headers", "body"}`` as the HTTP response,
instead of a loopback HTTP round trip (one at a time: the parent answers them in turn on the
invoking thread). botocore has built and signed the call, and parses and retries its answer,
exactly as over HTTP: only the socket is skipped. ``before-send`` is botocore's documented hook
for that ("allows a response to be returned that fulfills the request",
https://docs.aws.amazon.com/botocore/latest/topics/events.html); moto's ``mock_aws`` registers
it the same way. A call with a streaming body, or for another endpoint, still goes over HTTP.
"""

from __future__ import annotations

import base64
import decimal
import importlib
import io
import json
import os
import resource
import struct
import sys
import threading
import time
import traceback
from collections.abc import Callable
from typing import Any

SENTINEL_PREFIX = "\x00devstack-invocation-end "
_LENGTH = struct.Struct(">I")


class LambdaContext:
    """The context object the Python Lambda runtime passes as the handler's second argument."""

    def __init__(self, request_id: str, deadline_epoch_ms: int) -> None:
        self.aws_request_id = request_id
        self.function_name = os.environ["AWS_LAMBDA_FUNCTION_NAME"]
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        self.invoked_function_arn = os.environ["DEVSTACK_FUNCTION_ARN"]
        # The real runtime reads this from the environment too, so it is a string there as well.
        self.memory_limit_in_mb = os.environ["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"]
        self.log_group_name = os.environ["AWS_LAMBDA_LOG_GROUP_NAME"]
        self.log_stream_name = os.environ["AWS_LAMBDA_LOG_STREAM_NAME"]
        self.identity: Any = None
        self.client_context: Any = None
        self._deadline_epoch_ms = deadline_epoch_ms

    def get_remaining_time_in_millis(self) -> int:
        return max(0, self._deadline_epoch_ms - int(time.time() * 1000))


def _read_exact(fd: int, size: int) -> bytes | None:
    chunks = bytearray()
    while len(chunks) < size:
        chunk = os.read(fd, size - len(chunks))
        if not chunk:
            return None
        chunks.extend(chunk)
    return bytes(chunks)


def _receive(fd: int) -> dict[str, Any] | None:
    header = _read_exact(fd, _LENGTH.size)
    if header is None:
        return None
    body = _read_exact(fd, _LENGTH.unpack(header)[0])
    if body is None:
        return None
    message: dict[str, Any] = json.loads(body)
    return message


def _send(fd: int, message: dict[str, Any]) -> None:
    body = json.dumps(message).encode()
    data = _LENGTH.pack(len(body)) + body
    while data:
        written = os.write(fd, data)
        data = data[written:]


def _send_aws_calls_through_parent(read_fd: int, write_fd: int, endpoint: str) -> None:
    """Answer the function's botocore calls to ``endpoint`` through the parent (see above).

    Registered in ``botocore.handlers.BUILTIN_HANDLERS``, the handlers every new botocore
    session registers, so clients made from any session (boto3's default one, Powertools'
    own) are covered. No botocore in the function's path: nothing to do.
    """
    try:  # the function's botocore, found on its path: imported only when asked for
        from botocore.awsrequest import AWSResponse, HeadersDict  # type: ignore[import-untyped]  # noqa: PLC0415
        from botocore.handlers import BUILTIN_HANDLERS  # type: ignore[import-untyped]  # noqa: PLC0415
    except ImportError:
        return

    prefix = endpoint.rstrip("/") + "/"
    round_trip = threading.Lock()

    class _Body(io.BytesIO):
        def stream(self, **_kwargs: Any) -> Any:  # noqa: ANN401 - urllib3's generator protocol
            yield self.getvalue()

    def send(request: Any, **_kwargs: Any) -> Any:  # noqa: ANN401 - botocore's request/response
        body = request.body
        if isinstance(body, str):
            body = body.encode("utf-8")
        elif body is None:
            body = b""
        url = str(request.url)
        if not isinstance(body, bytes | bytearray) or not (url + "/").startswith(prefix):
            return None  # over HTTP as usual
        headers = [
            [str(key), value.decode("latin-1") if isinstance(value, bytes) else str(value)]
            for key, value in request.headers.items()
        ]
        call = {
            "method": request.method,
            "url": url,
            "headers": headers,
            "body": base64.b64encode(body).decode("ascii"),
        }
        with round_trip:  # one call at a time on the pipe (a function may call from threads)
            _send(write_fd, {"aws_call": call})
            answer = _receive(read_fd)
        if answer is None:
            raise ConnectionError("the Lambda runtime closed the worker's pipe")
        response_headers = HeadersDict()
        for key, value in answer["headers"]:
            response_headers[key] = value
        content = base64.b64decode(answer["body"])
        return AWSResponse(url, int(answer["status"]), response_headers, _Body(content))

    BUILTIN_HANDLERS.append(("before-send", send))


def _json_default(value: object) -> object:
    # The Lambda runtime serialises Decimal (what boto3 returns for DynamoDB numbers) as a number.
    if isinstance(value, decimal.Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def _error(error_type: str, message: str, stack: list[str] | None = None) -> dict[str, Any]:
    return {"errorMessage": message, "errorType": error_type, "stackTrace": stack or []}


def _exception_error(exc: BaseException) -> dict[str, Any]:
    frames = traceback.extract_tb(exc.__traceback__)
    stack = [line for line in traceback.format_list(frames)]
    return _error(type(exc).__name__, str(exc), stack)


def _log_exception(error: dict[str, Any], exc: BaseException) -> None:
    # Same shape as the managed runtime's log record for an unhandled exception.
    text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    print(f"[ERROR] {error['errorType']}: {error['errorMessage']}\n{text}", file=sys.stderr)


def _load_handler(handler_path: str) -> Callable[[Any, LambdaContext], Any]:
    module_name, _, function_name = handler_path.rpartition(".")
    if not module_name:
        raise ValueError(f"Bad handler '{handler_path}': not enough values to unpack")
    module = importlib.import_module(module_name.replace("/", "."))
    handler = getattr(module, function_name, None)
    if handler is None:
        raise AttributeError(f"Handler '{function_name}' missing on module '{module_name}'")
    if not callable(handler):
        raise TypeError(f"Handler '{function_name}' on module '{module_name}' is not callable")
    return handler  # type: ignore[no-any-return]


def _invoke(
    handler: Callable[[Any, LambdaContext], Any], request: dict[str, Any]
) -> dict[str, Any]:
    os.environ["_X_AMZN_TRACE_ID"] = request.get("trace_id") or ""
    try:
        event = json.loads(request["payload"]) if request["payload"] else {}
    except ValueError as exc:
        return {"ok": False, "error": _error("Runtime.UnmarshalError", f"Unable to parse: {exc}")}
    context = LambdaContext(request["request_id"], int(request["deadline_epoch_ms"]))
    try:
        result = handler(event, context)
    except Exception as exc:
        error = _exception_error(exc)
        _log_exception(error, exc)
        return {"ok": False, "error": error}
    try:
        return {"ok": True, "result": json.dumps(result, default=_json_default)}
    except (TypeError, ValueError) as exc:
        message = f"Unable to marshal response: {exc}"
        return {"ok": False, "error": _error("Runtime.MarshalError", message)}


def main() -> int:
    task_root, handler_path = sys.argv[1], sys.argv[2]
    read_fd, write_fd = (int(part) for part in os.environ.pop("DEVSTACK_WORKER_FDS").split(","))
    aws_calls_endpoint = os.environ.pop("DEVSTACK_AWS_CALLS_ENDPOINT", None)
    sys.path.insert(0, task_root)
    os.chdir(task_root)
    if aws_calls_endpoint:
        # After the task root is on the path (a botocore the function bundles is the one it
        # gets, as on Lambda), before the init is timed (the runtime's work, not the function's).
        _send_aws_calls_through_parent(read_fd, write_fd, aws_calls_endpoint)
    started = time.monotonic()
    try:
        handler = _load_handler(handler_path)
    except Exception as exc:
        error_type = (
            "Runtime.ImportModuleError"
            if isinstance(exc, ImportError)
            else "Runtime.HandlerNotFound"
            if isinstance(exc, AttributeError | TypeError | ValueError)
            else "Runtime.UserCodeSyntaxError"
            if isinstance(exc, SyntaxError)
            else type(exc).__name__
        )
        message = f"Unable to import module '{handler_path.rpartition('.')[0]}': {exc}"
        error = _error(error_type, message if isinstance(exc, ImportError) else str(exc))
        _log_exception(error, exc)
        _flush_with_sentinel("init")
        _send(write_fd, {"ready": False, "error": error})
        return 1
    _send(write_fd, {"ready": True, "init_ms": (time.monotonic() - started) * 1000})
    while True:
        request = _receive(read_fd)
        if request is None:
            return 0
        response = _invoke(handler, request)
        response["max_rss_mb"] = _max_rss_mb()
        _flush_with_sentinel(request["request_id"])
        _send(write_fd, response)


_STATUS_FD: list[int] = []


def _max_rss_mb() -> int:
    """The worker's peak resident set (REPORT's "Max Memory Used"), in MB.

    Linux's VmHWM starts afresh with the program (execve gives a new address space), whereas
    getrusage's ru_maxrss is preserved across execve (getrusage(2), NOTES): in a worker forked
    from the emulator it was the emulator's size. ``/proc/self/status`` stays open and is read
    again from its start each time; getrusage where /proc is not there.
    """
    try:
        if not _STATUS_FD:
            _STATUS_FD.append(os.open("/proc/self/status", os.O_RDONLY))
        status = os.pread(_STATUS_FD[0], 8192, 0)
        line = status[status.index(b"VmHWM:") :].split(b"\n", 1)[0]
        return int(line.split()[1]) // 1024
    except (OSError, ValueError, IndexError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024


def _flush_with_sentinel(request_id: str) -> None:
    sys.stderr.flush()
    sys.stdout.write(f"{SENTINEL_PREFIX}{request_id}\n")
    sys.stdout.flush()


if __name__ == "__main__":
    sys.exit(main())
