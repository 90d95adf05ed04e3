"""Runs deployed Lambda functions in warm worker processes of the host interpreter.

Each function version (ARN, code hash, handler, configuration and environment) gets a pool of up
to ``max_workers_per_function`` worker processes, started on demand and reused across invocations
(module-level state survives, as in a warm Lambda execution environment). A worker is killed and
replaced when an invocation exceeds the function's timeout or the process dies; the pool of an
ARN is retired when the ARN's code or configuration changes. A call that read the configuration
before the latest change (in flight during UpdateFunctionConfiguration) runs on a one-off worker
of its own and leaves the new configuration's warm workers alone (``FunctionSpec.read_at``).
"""

from __future__ import annotations

import base64
import contextlib
import json
import logging
import math
import os
import selectors
import signal
import struct
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from devstack import jsoncodec
from devstack.runtime._worker_main import SENTINEL_PREFIX
from devstack.runtime.code_cache import CodeCache, ExtractedCode
from devstack.runtime.contracts import FunctionSpec, InvokeResult, LogSink

LOGGER = logging.getLogger("devstack.runtime.lambda")

WORKER_SCRIPT = Path(__file__).with_name("_worker_main.py")
# Warm workers per function version: Lambda runs concurrent invocations in parallel execution
# environments up to the function's concurrency (1,000 per account by default,
# https://docs.aws.amazon.com/lambda/latest/dg/lambda-concurrency.html); here the bound is the
# machine. Eight: one per client of the throughput benchmark, so no call waits for a worker
# another call holds while both spend most of their time in the emulator.
DEFAULT_MAX_WORKERS_PER_FUNCTION = 8
# Lambda gives the init phase 10 s of its own before it counts against the invocation ("The Init
# phase is limited to 10 seconds", https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html;
# on-demand functions: provisioned concurrency and SnapStart init differently).
INIT_TIMEOUT_SECONDS = 10.0
LOG_TAIL_BYTES = 4096
_LENGTH = struct.Struct(">I")
_READ_SIZE = 65536
# After the worker has answered, the rest of its log is already in the pipe: this bounds a read
# that should be immediate, so a misbehaving process (a child holding the pipe) cannot hang us.
_LOG_DRAIN_SECONDS = 5.0

# The execution role's credential variables for a function (devstack.iam.credentials).
RoleCredentials = Callable[[FunctionSpec], dict[str, str]]
# Entered around each invocation with its X-Amzn-Trace-Id (devstack.timings counts the
# function's AWS calls, which carry it, for the API request being served).
InvocationScope = Callable[[str], contextlib.AbstractContextManager[None]]
# Answers one of a function's AWS calls that its worker sent as a frame instead of over HTTP
# (see _worker_main): {"method", "url", "headers": [[k, v]], "body": base64} in,
# {"status", "headers": [[k, v]], "body": base64} out.
AwsCallAnswerer = Callable[[dict[str, Any]], dict[str, Any]]

PoolKey = tuple[str, str, str, int, int, tuple[tuple[str, str], ...]]


class _WorkerGoneError(Exception):
    """The worker process ended (or closed its pipe) before answering."""


class _DeadlineExceededError(Exception):
    """The worker did not answer before the deadline."""


@dataclass
class _Pool:
    idle: list[_Worker] = field(default_factory=list)
    total: int = 0
    retired: bool = False


@dataclass(eq=False)  # identity semantics: workers live in sets
class _Worker:
    key: PoolKey
    pool: _Pool
    process: subprocess.Popen[bytes]
    to_worker: int
    from_worker: int
    log_stream_name: str
    ready: bool = False
    init_ms: float | None = None
    dead: bool = False
    frame_buffer: bytearray = field(default_factory=bytearray)
    log_partial: bytearray = field(default_factory=bytearray)
    log_lines: list[str] = field(default_factory=list)
    log_open: bool = True
    sentinel_seen: bool = False
    # Kept for the worker's life (two per invocation, created and closed each time, were an
    # epoll instance and three system calls more per wait): both pipes, and the log pipe alone
    # (once the worker has answered, or is dead).
    frames_and_log: selectors.BaseSelector = field(default_factory=selectors.DefaultSelector)
    log_only: selectors.BaseSelector = field(default_factory=selectors.DefaultSelector)

    def __post_init__(self) -> None:
        assert self.process.stdout is not None  # noqa: S101 - set by Popen(stdout=PIPE)
        self.frames_and_log.register(self.from_worker, selectors.EVENT_READ)
        for selector in (self.frames_and_log, self.log_only):
            selector.register(self.process.stdout.fileno(), selectors.EVENT_READ)

    def log_closed(self) -> None:
        """The log pipe reached its end: nothing more to wait for on it."""
        self.log_open = False
        assert self.process.stdout is not None  # noqa: S101 - set by Popen(stdout=PIPE)
        for selector in (self.frames_and_log, self.log_only):
            with contextlib.suppress(KeyError):
                selector.unregister(self.process.stdout.fileno())

    def feed_log(self, data: bytes) -> None:
        self.log_partial.extend(data)
        while True:
            newline = self.log_partial.find(b"\n")
            if newline < 0:
                return
            line = self.log_partial[:newline].decode("utf-8", "replace")
            del self.log_partial[: newline + 1]
            # The sentinel may follow output the function left without a final newline.
            text, sentinel, _ = line.partition(SENTINEL_PREFIX)
            if text or not sentinel:
                self.log_lines.append(text)
            if sentinel:
                self.sentinel_seen = True

    def take_log(self) -> list[str]:
        if self.log_partial and not self.log_open:
            self.log_lines.append(self.log_partial.decode("utf-8", "replace"))
            self.log_partial.clear()
        lines, self.log_lines = self.log_lines, []
        return lines

    def kill(self) -> None:
        if not self.dead:
            self.dead = True
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def close(self) -> None:
        self.kill()
        self.frames_and_log.close()
        self.log_only.close()
        for fd in (self.to_worker, self.from_worker):
            with contextlib.suppress(OSError):
                os.close(fd)
        if self.process.stdout is not None:
            self.process.stdout.close()


class LambdaRuntime:
    """Invokes functions from their deployed zip and configuration, in warm workers."""

    def __init__(
        self,
        work_dir: Path,
        log_sink: LogSink,
        extra_env: dict[str, str],
        max_workers_per_function: int = DEFAULT_MAX_WORKERS_PER_FUNCTION,
        clock: Callable[[], float] = time.monotonic,
        *,
        role_credentials: RoleCredentials | None = None,
        invocation_scope: InvocationScope | None = None,
        aws_calls: AwsCallAnswerer | None = None,
    ) -> None:
        """``role_credentials(spec)`` gives the execution role's AWS_ACCESS_KEY_ID /
        AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN, as Lambda sets them from the function's role
        (https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime).
        They are part of the worker's environment, hence of its pool key: a renewed session (or a
        new role) starts fresh workers and the old ones retire. None: ``extra_env`` only.

        ``aws_calls``: the functions' AWS calls to ``extra_env["AWS_ENDPOINT_URL"]`` reach it
        through the worker's pipe (answered on the invoking thread) instead of over HTTP."""
        if max_workers_per_function < 1:
            raise ValueError("max_workers_per_function must be at least 1")
        self._work_dir = work_dir
        self._log_sink = log_sink
        self._extra_env = dict(extra_env)
        self._role_credentials = role_credentials
        self._invocation_scope = invocation_scope
        self._aws_calls = aws_calls if extra_env.get("AWS_ENDPOINT_URL") else None
        self._max_workers = max_workers_per_function
        self._clock = clock
        self._code = CodeCache(work_dir)
        self._code_by_sha: dict[str, ExtractedCode] = {}
        self._home: str | None = None
        self._condition = threading.Condition()
        self._pools: dict[PoolKey, _Pool] = {}
        self._current_key: dict[str, PoolKey] = {}
        self._current_read_at: dict[str, float] = {}
        self._workers: set[_Worker] = set()
        self._closed = False

    # -- public API ---------------------------------------------------------------------------

    def invoke(self, spec: FunctionSpec, payload: bytes) -> InvokeResult:
        # The zip is known by the hash Lambda reports for it (CodeSha256): no re-hash per call.
        code = self._code_by_sha.get(spec.code_sha256)
        if code is None:
            code = self._code.extract(spec.code_zip)
            if spec.code_sha256:
                self._code_by_sha[spec.code_sha256] = code
        environment = self._environment(spec, code)
        key: PoolKey = (
            spec.function_arn,
            spec.code_sha256,
            spec.handler,
            spec.timeout_seconds,
            spec.memory_mb,
            tuple(sorted(environment.items())),
        )
        worker = self._acquire(key, spec, code, environment)
        try:
            return self._invoke_on(worker, spec, payload)
        finally:
            self._release(worker)

    def shutdown(self) -> None:
        """Stop every worker; later invocations fail."""
        with self._condition:
            self._closed = True
            workers = list(self._workers)
            self._workers.clear()
            for pool in self._pools.values():
                pool.retired = True
                pool.idle.clear()
            self._condition.notify_all()
        for worker in workers:
            worker.kill()

    def worker_count(self, function_arn: str | None = None) -> int:
        """Live worker processes (of one ARN, or all): for status output and tests."""
        with self._condition:
            return sum(
                1
                for worker in self._workers
                if function_arn is None or worker.key[0] == function_arn
            )

    # -- pool management ----------------------------------------------------------------------

    def _acquire(
        self, key: PoolKey, spec: FunctionSpec, code: ExtractedCode, environment: dict[str, str]
    ) -> _Worker:
        with self._condition:
            if self._is_current(key, spec.read_at):
                pool = self._pools.setdefault(key, _Pool())
            else:
                # Read before the function's latest update: the call runs with what it read,
                # on a worker of its own, and leaves the current configuration's workers alone.
                pool = self._pools.get(key) or _Pool(retired=True)
            while True:
                if self._closed:
                    raise RuntimeError("the Lambda runtime is shut down")
                if pool.idle:
                    return pool.idle.pop()
                # A retired pool (its function changed while we waited) lends a one-off worker.
                if pool.total < self._max_workers or pool.retired:
                    pool.total += 1
                    break
                self._condition.wait()
        try:
            worker = self._spawn(key, pool, spec, code, environment)
        except BaseException:
            with self._condition:
                pool.total -= 1
                self._condition.notify_all()
            raise
        with self._condition:
            if not self._closed:
                self._workers.add(worker)
                return worker
            pool.total -= 1
        worker.close()  # shut down while it was starting
        raise RuntimeError("the Lambda runtime is shut down")

    def _is_current(self, key: PoolKey, read_at: float) -> bool:
        """Whether ``key`` is (now) the ARN's current configuration; a newer one retires the
        previous pool. A configuration read before the current one was (a call in flight during
        UpdateFunctionConfiguration) is not current and retires nothing."""
        arn = key[0]
        previous = self._current_key.get(arn)
        if previous == key:
            self._current_read_at[arn] = max(self._current_read_at.get(arn, 0.0), read_at)
            return True
        if previous is not None and read_at < self._current_read_at.get(arn, 0.0):
            return False
        self._current_key[arn] = key
        self._current_read_at[arn] = read_at
        if previous is not None:
            self._retire(previous)
        return True

    def _retire(self, key: PoolKey) -> None:
        old_pool = self._pools.pop(key, None)
        if old_pool is None:
            return
        old_pool.retired = True
        for worker in old_pool.idle:
            self._workers.discard(worker)
            worker.close()
        old_pool.idle.clear()

    def _release(self, worker: _Worker) -> None:
        with self._condition:
            pool = worker.pool
            keep = not worker.dead and not self._closed and not pool.retired
            if keep:
                pool.idle.append(worker)
            else:
                pool.total -= 1
                self._workers.discard(worker)
            self._condition.notify_all()
        if not keep:
            worker.close()

    # -- one worker ---------------------------------------------------------------------------

    def _environment(self, spec: FunctionSpec, code: ExtractedCode) -> dict[str, str]:
        if self._home is None:
            home = self._work_dir / "home"
            home.mkdir(parents=True, exist_ok=True)
            self._home = str(home)  # once: a path's str() per invocation showed in profiles
        environment = {
            "PATH": os.environ.get("PATH", "/usr/local/bin:/usr/bin:/bin"),
            "LANG": "en_US.UTF-8",
            "TZ": ":UTC",
            # An empty home of our own: the host user's ~/.aws must not leak into functions.
            "HOME": self._home,
        }
        environment.update(spec.environment)
        environment.update(self._extra_env)
        if self._role_credentials is not None:
            environment.update(self._role_credentials(spec))
        # Reserved variables: Lambda sets these whatever the configuration says.
        environment.update(
            {
                "AWS_REGION": spec.region,
                "AWS_DEFAULT_REGION": spec.region,
                "AWS_EXECUTION_ENV": f"AWS_Lambda_{spec.runtime}",
                "AWS_LAMBDA_FUNCTION_NAME": spec.function_name,
                "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
                "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(spec.memory_mb),
                "AWS_LAMBDA_LOG_GROUP_NAME": spec.log_group_name,
                "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
                "LAMBDA_TASK_ROOT": str(code.root),
                "_HANDLER": spec.handler,
                "DEVSTACK_FUNCTION_ARN": spec.function_arn,
            }
        )
        return environment

    def _spawn(
        self,
        key: PoolKey,
        pool: _Pool,
        spec: FunctionSpec,
        code: ExtractedCode,
        environment: dict[str, str],
    ) -> _Worker:
        child_read, parent_write = os.pipe()
        parent_read, child_write = os.pipe()
        today = datetime.now(UTC).strftime("%Y/%m/%d")
        log_stream_name = f"{today}/[$LATEST]{uuid.uuid4().hex}"
        env = dict(environment)
        env["AWS_LAMBDA_LOG_STREAM_NAME"] = log_stream_name
        env["DEVSTACK_WORKER_FDS"] = f"{child_read},{child_write}"
        if self._aws_calls is not None:
            env["DEVSTACK_AWS_CALLS_ENDPOINT"] = self._extra_env["AWS_ENDPOINT_URL"]
        try:
            process = subprocess.Popen(  # noqa: S603 - our own interpreter and script
                [sys.executable, "-I", "-u", str(WORKER_SCRIPT), str(code.root), spec.handler],
                env=env,
                cwd=code.root,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                pass_fds=(child_read, child_write),
                start_new_session=True,  # its own process group, so a kill takes its children
            )
        except BaseException:
            for fd in (parent_read, parent_write):
                os.close(fd)
            raise
        finally:
            os.close(child_read)
            os.close(child_write)
        LOGGER.debug("started worker %s for %s", process.pid, spec.function_arn)
        return _Worker(key, pool, process, parent_write, parent_read, log_stream_name)

    def _invoke_on(self, worker: _Worker, spec: FunctionSpec, payload: bytes) -> InvokeResult:
        request_id = str(uuid.uuid4())
        lines: list[str] = []
        if not worker.ready:
            init_error = self._wait_ready(worker, spec)
            lines.extend(worker.take_log())
            if init_error is not None:
                worker.kill()
                return self._finish(
                    spec,
                    worker,
                    request_id,
                    lines=lines,
                    outcome=init_error,
                    function_error="Unhandled",
                    duration_ms=0.0,
                )
        started = self._clock()
        deadline = started + spec.timeout_seconds
        deadline_epoch_ms = int((time.time() + spec.timeout_seconds) * 1000)
        lines.append(f"START RequestId: {request_id} Version: $LATEST")
        trace_id = _trace_header()
        message = {
            "request_id": request_id,
            "payload": payload.decode("utf-8", "replace"),
            "deadline_epoch_ms": deadline_epoch_ms,
            "trace_id": trace_id,
        }
        scope = (
            self._invocation_scope(trace_id)
            if self._invocation_scope is not None
            else contextlib.nullcontext()
        )
        try:
            with scope:
                self._send(worker, message)
                response = self._receive(worker, deadline)
            self._drain_log_until_sentinel(worker)
        except _DeadlineExceededError:
            worker.kill()
            self._drain_log_after_exit(worker)
            lines.extend(worker.take_log())
            stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
            timeout_text = f"Task timed out after {spec.timeout_seconds:.2f} seconds"
            lines.append(f"{stamp} {request_id} {timeout_text}")
            error = {
                "errorType": "Sandbox.Timedout",
                "errorMessage": f"RequestId: {request_id} Error: {timeout_text}",
            }
            duration = (self._clock() - started) * 1000
            return self._finish(
                spec,
                worker,
                request_id,
                lines=lines,
                outcome=error,
                function_error="Unhandled",
                duration_ms=duration,
            )
        except _WorkerGoneError:
            worker.kill()
            self._drain_log_after_exit(worker)
            lines.extend(worker.take_log())
            status = worker.process.returncode
            reason = f"signal: {-status}" if status < 0 else f"exit status {status}"
            error = {
                "errorType": "Runtime.ExitError",
                "errorMessage": (
                    f"RequestId: {request_id} Error: Runtime exited with error: {reason}"
                ),
            }
            duration = (self._clock() - started) * 1000
            return self._finish(
                spec,
                worker,
                request_id,
                lines=lines,
                outcome=error,
                function_error="Unhandled",
                duration_ms=duration,
            )
        duration = (self._clock() - started) * 1000
        lines.extend(worker.take_log())
        max_rss = int(response.get("max_rss_mb", 0))
        if response.get("ok"):
            result: Any = response["result"]
            return self._finish(
                spec,
                worker,
                request_id,
                lines=lines,
                outcome=result,
                function_error=None,
                duration_ms=duration,
                max_rss_mb=max_rss,
            )
        return self._finish(
            spec,
            worker,
            request_id,
            lines=lines,
            outcome=response["error"],
            function_error="Unhandled",
            duration_ms=duration,
            max_rss_mb=max_rss,
        )

    def _wait_ready(self, worker: _Worker, spec: FunctionSpec) -> dict[str, Any] | None:
        """Wait for the worker's handler import; the error document when it failed."""
        started = self._clock()
        try:
            response = self._receive(worker, started + INIT_TIMEOUT_SECONDS)
        except _DeadlineExceededError:
            worker.kill()
            self._drain_log_after_exit(worker)
            return {
                "errorType": "Runtime.InitError",
                "errorMessage": f"Init timed out after {INIT_TIMEOUT_SECONDS:.2f} seconds",
            }
        except _WorkerGoneError:
            worker.kill()
            self._drain_log_after_exit(worker)
            return {
                "errorType": "Runtime.ExitError",
                "errorMessage": "Runtime exited during init: "
                f"exit status {worker.process.returncode}",
            }
        if not response.get("ready"):
            self._drain_log_after_exit(worker)
            error: dict[str, Any] = response.get("error") or {}
            return error
        worker.ready = True
        worker.init_ms = float(response.get("init_ms", 0.0))
        return None

    def _finish(
        self,
        spec: FunctionSpec,
        worker: _Worker,
        request_id: str,
        *,
        lines: list[str],
        outcome: str | dict[str, Any],
        function_error: str | None,
        duration_ms: float,
        max_rss_mb: int = 0,
    ) -> InvokeResult:
        if not any(line.startswith("START RequestId:") for line in lines):
            lines.append(f"START RequestId: {request_id} Version: $LATEST")
        report = (
            f"REPORT RequestId: {request_id}\tDuration: {duration_ms:.2f} ms\t"
            f"Billed Duration: {max(1, math.ceil(duration_ms))} ms\t"
            f"Memory Size: {spec.memory_mb} MB\tMax Memory Used: {max_rss_mb} MB"
        )
        if worker.init_ms is not None:
            report += f"\tInit Duration: {worker.init_ms:.2f} ms"
            worker.init_ms = None  # reported on the cold invocation only
        lines.extend([f"END RequestId: {request_id}", report])
        try:
            self._log_sink(spec.log_group_name, lines)
        except Exception:
            LOGGER.exception("the log sink failed for %s", spec.log_group_name)
        payload = (outcome if isinstance(outcome, str) else json.dumps(outcome)).encode()
        tail = "\n".join(lines).encode()[-LOG_TAIL_BYTES:].decode("utf-8", "ignore")
        return InvokeResult(payload, function_error, tail, duration_ms)

    # -- framing ------------------------------------------------------------------------------

    @staticmethod
    def _send(worker: _Worker, message: dict[str, Any]) -> None:
        # The worker reads it with the standard library's json (its only JSON).
        body = jsoncodec.dumps(message)
        data = _LENGTH.pack(len(body)) + body
        try:
            while data:
                written = os.write(worker.to_worker, data)
                data = data[written:]
        except (BrokenPipeError, OSError) as exc:
            raise _WorkerGoneError from exc

    def _pump(
        self, worker: _Worker, deadline: float, done: Callable[[], bool], frames: bool = True
    ) -> None:
        """Read the worker's pipes until ``done()`` or the deadline; _WorkerGoneError on EOF.

        With ``frames=False`` only the log pipe is read (the worker has answered or is dead).
        """
        assert worker.process.stdout is not None  # noqa: S101 - set by Popen(stdout=PIPE)
        log_fd = worker.process.stdout.fileno()
        if not frames and not worker.log_open:
            return
        selector = worker.frames_and_log if frames else worker.log_only
        while not done():
            remaining = deadline - self._clock()
            if remaining <= 0:
                raise _DeadlineExceededError
            for selected, _ in selector.select(remaining):
                data = os.read(selected.fd, _READ_SIZE)
                if selected.fd == log_fd:
                    if data:
                        worker.feed_log(data)
                    else:
                        worker.log_closed()
                        if not frames:
                            return
                elif data:
                    worker.frame_buffer.extend(data)
                else:
                    raise _WorkerGoneError

    @staticmethod
    def _frame_complete(worker: _Worker) -> bool:
        buffer = worker.frame_buffer
        return (
            len(buffer) >= _LENGTH.size
            and len(buffer) >= _LENGTH.size + _LENGTH.unpack(buffer[: _LENGTH.size])[0]
        )

    def _receive(self, worker: _Worker, deadline: float) -> dict[str, Any]:
        """The worker's next answer (ready or invocation result), serving its AWS calls first:
        they come while it works, and the time they take counts against the deadline."""
        while True:
            self._pump(worker, deadline, lambda: self._frame_complete(worker))
            size = _LENGTH.unpack(worker.frame_buffer[: _LENGTH.size])[0]
            body = bytes(worker.frame_buffer[_LENGTH.size : _LENGTH.size + size])
            del worker.frame_buffer[: _LENGTH.size + size]
            message: dict[str, Any] = json.loads(body)
            call = message.get("aws_call")
            if call is None:
                return message
            self._send(worker, self._answer_aws_call(call))

    def _answer_aws_call(self, call: dict[str, Any]) -> dict[str, Any]:
        if self._aws_calls is None:  # the worker was not told to send any: a protocol error
            raise _WorkerGoneError
        try:
            return self._aws_calls(call)
        except Exception:
            # What the emulator's HTTP server answers when its application fails.
            LOGGER.exception("a function's AWS call failed in the emulator")
            body = b'{"__type":"InternalFailure","message":"devstack internal error (see log)"}'
            return {
                "status": 500,
                "headers": [["Content-Type", "application/x-amz-json-1.0"]],
                "body": base64.b64encode(body).decode("ascii"),
            }

    def _drain_log_until_sentinel(self, worker: _Worker) -> None:
        try:
            self._pump(
                worker,
                self._clock() + _LOG_DRAIN_SECONDS,
                lambda: worker.sentinel_seen or not worker.log_open,
                frames=False,
            )
        except (_DeadlineExceededError, _WorkerGoneError):
            LOGGER.warning("worker %s: log sentinel not seen", worker.process.pid)
        worker.sentinel_seen = False

    def _drain_log_after_exit(self, worker: _Worker) -> None:
        """Collect what a dead worker printed, up to its pipe's end."""
        with contextlib.suppress(_DeadlineExceededError, _WorkerGoneError):
            self._pump(worker, self._clock() + 1.0, lambda: not worker.log_open, frames=False)
        worker.log_closed()


def _trace_header() -> str:
    epoch_hex = f"{int(time.time()):08x}"
    return f"Root=1-{epoch_hex}-{uuid.uuid4().hex[:24]};Parent={uuid.uuid4().hex[:16]};Sampled=0"
