"""LambdaRuntime: warm workers, context, environment, errors, timeouts and logs."""

from __future__ import annotations

import dataclasses
import json
import threading
from pathlib import Path

import pytest
from rt_support import RecordingLogSink, SpecFactory, build_zip, make_spec

from devstack.runtime.lambda_workers import LambdaRuntime


def invoke_json(runtime: LambdaRuntime, spec: object, event: object = None) -> object:
    result = runtime.invoke(spec, json.dumps(event or {}).encode())  # type: ignore[arg-type]
    assert result.function_error is None, result.payload
    return json.loads(result.payload)


def test_warm_worker_keeps_module_state(lambda_runtime: LambdaRuntime, spec_for: SpecFactory):
    spec = spec_for("counter", name="warm-counter")
    first = invoke_json(lambda_runtime, spec)
    second = invoke_json(lambda_runtime, spec)
    third = invoke_json(lambda_runtime, spec)
    assert [first["calls"], second["calls"], third["calls"]] == [1, 2, 3]  # type: ignore[index]
    assert first["pid"] == third["pid"]  # type: ignore[index]
    assert lambda_runtime.worker_count(spec.function_arn) == 1


def test_context_and_environment(
    lambda_runtime: LambdaRuntime, spec_for: SpecFactory, log_sink: RecordingLogSink
):
    spec = spec_for("describe", name="ctx", timeout_seconds=7, memory_mb=384)
    described = invoke_json(lambda_runtime, spec, {"hello": "world"})
    assert isinstance(described, dict)
    assert described["event"] == {"hello": "world"}
    assert described["function_name"] == "ctx"
    assert described["function_version"] == "$LATEST"
    assert described["invoked_function_arn"] == spec.function_arn
    assert described["memory_limit_in_mb"] == "384"
    assert described["log_group_name"] == "/aws/lambda/ctx"
    assert "[$LATEST]" in described["log_stream_name"]
    assert 0 < described["remaining_ms"] <= 7000
    env = described["env"]
    assert env["SAMPLE_SETTING"] == "on"
    assert env["AWS_ENDPOINT_URL"] == "http://127.0.0.1:4599"
    assert env["AWS_ACCESS_KEY_ID"] == "testing"
    assert env["AWS_REGION"] == env["AWS_DEFAULT_REGION"] == spec.region
    assert env["AWS_LAMBDA_FUNCTION_NAME"] == "ctx"
    assert env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] == "384"
    assert env["_HANDLER"] == "samples.handlers.describe"
    assert env["_X_AMZN_TRACE_ID"].startswith("Root=1-")
    assert env["LAMBDA_TASK_ROOT"] == described["cwd"]
    # The host's environment does not leak into the function.
    assert "PYTEST_CURRENT_TEST" not in env
    assert described["aws_request_id"] in "\n".join(log_sink.lines("/aws/lambda/ctx"))


def test_reserved_variables_win_over_configuration(
    lambda_runtime: LambdaRuntime, spec_for: SpecFactory
):
    spec = spec_for("describe", name="reserved", environment={"AWS_REGION": "mars-1"})
    described = invoke_json(lambda_runtime, spec)
    assert described["env"]["AWS_REGION"] == spec.region  # type: ignore[index]


def test_exception_becomes_an_unhandled_error(
    lambda_runtime: LambdaRuntime, spec_for: SpecFactory, log_sink: RecordingLogSink
):
    spec = spec_for("fail", name="failing")
    result = lambda_runtime.invoke(spec, b"{}")
    assert result.function_error == "Unhandled"
    error = json.loads(result.payload)
    assert error["errorType"] == "ValueError"
    assert error["errorMessage"] == "the sample failed on purpose"
    assert any("handlers.py" in frame for frame in error["stackTrace"])
    logged = "\n".join(log_sink.lines("/aws/lambda/failing"))
    assert "[ERROR] ValueError: the sample failed on purpose" in logged
    assert "Traceback" in logged
    # The worker survives a handled exception and serves the next call.
    again = lambda_runtime.invoke(spec_for("fail", name="failing"), b"{}")
    assert again.function_error == "Unhandled"


def test_logs_have_lambda_lines_in_order(
    lambda_runtime: LambdaRuntime, spec_for: SpecFactory, log_sink: RecordingLogSink
):
    spec = spec_for("noisy", name="noisy")
    result = lambda_runtime.invoke(spec, b"{}")
    assert result.function_error is None
    assert json.loads(result.payload) is None
    lines = log_sink.lines("/aws/lambda/noisy")
    start = next(i for i, line in enumerate(lines) if line.startswith("START RequestId: "))
    assert lines.index("cold start of samples.handlers") < start
    assert lines[start + 1 : start + 3] == ["line one", "line two"]
    assert lines[start + 3].startswith("END RequestId: ")
    report = lines[start + 4]
    assert report.startswith("REPORT RequestId: ")
    assert "Memory Size: 256 MB" in report
    assert "Init Duration:" in report
    assert "line two" in result.log_tail
    lambda_runtime.invoke(spec, b"{}")
    warm_report = log_sink.lines("/aws/lambda/noisy")[-1]
    assert warm_report.startswith("REPORT")
    assert "Init Duration" not in warm_report


def test_output_without_final_newline_is_logged(
    lambda_runtime: LambdaRuntime, spec_for: SpecFactory, log_sink: RecordingLogSink
):
    spec = spec_for("no_final_newline", name="unterminated")
    assert lambda_runtime.invoke(spec, b"{}").payload == b'"done"'
    assert lambda_runtime.invoke(spec, b"{}").payload == b'"done"'
    lines = log_sink.lines("/aws/lambda/unterminated")
    assert lines.count("unterminated") == 2
    assert lines[-2].startswith("END RequestId: ")


def test_timeout_kills_the_worker_and_the_next_call_works(
    lambda_runtime: LambdaRuntime, spec_for: SpecFactory, log_sink: RecordingLogSink
):
    spec = spec_for("sleep", name="sleepy", timeout_seconds=1)
    result = lambda_runtime.invoke(spec, json.dumps({"seconds": 60}).encode())
    assert result.function_error == "Unhandled"
    error = json.loads(result.payload)
    assert error["errorType"] == "Sandbox.Timedout"
    assert "Task timed out after 1.00 seconds" in error["errorMessage"]
    logged = log_sink.lines("/aws/lambda/sleepy")
    assert "going to sleep" in logged
    assert any(line.endswith("Task timed out after 1.00 seconds") for line in logged)
    assert lambda_runtime.worker_count(spec.function_arn) == 0
    quick = lambda_runtime.invoke(spec, json.dumps({"seconds": 0}).encode())
    assert quick.function_error is None
    assert json.loads(quick.payload) == "woke up"


def test_worker_exit_is_reported_and_replaced(lambda_runtime: LambdaRuntime, spec_for: SpecFactory):
    spec = spec_for("exit_abruptly", name="exits")
    result = lambda_runtime.invoke(spec, b"{}")
    assert result.function_error == "Unhandled"
    error = json.loads(result.payload)
    assert error["errorType"] == "Runtime.ExitError"
    assert "exit status 3" in error["errorMessage"]
    assert lambda_runtime.worker_count(spec.function_arn) == 0


def _open_epoll_instances() -> int:
    fd_dir = Path("/proc/self/fd")
    count = 0
    for entry in fd_dir.iterdir():
        try:
            count += "eventpoll" in str(entry.readlink())
        except OSError:
            continue  # closed while listed
    return count


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc (Linux)")
def test_a_worker_waits_on_its_own_selectors_and_closes_them(
    lambda_runtime: LambdaRuntime, spec_for: SpecFactory
):
    """Each worker keeps its selectors (no epoll instance per invocation); a dead or timed-out
    worker's are closed with it."""
    spec = spec_for("counter", name="selector-counter")
    invoke_json(lambda_runtime, spec)
    before = _open_epoll_instances()
    for _ in range(5):
        invoke_json(lambda_runtime, spec)
    assert _open_epoll_instances() == before
    exits = spec_for("exit_abruptly", name="selector-exits")
    assert lambda_runtime.invoke(exits, b"{}").function_error == "Unhandled"
    assert lambda_runtime.worker_count(exits.function_arn) == 0
    assert _open_epoll_instances() == before
    sleepy = spec_for("sleep", name="selector-sleepy", timeout_seconds=1)
    timed_out = lambda_runtime.invoke(sleepy, json.dumps({"seconds": 60}).encode())
    assert timed_out.function_error == "Unhandled"
    assert _open_epoll_instances() == before


def test_unserializable_result(lambda_runtime: LambdaRuntime, spec_for: SpecFactory):
    result = lambda_runtime.invoke(spec_for("not_serializable", name="unser"), b"{}")
    assert result.function_error == "Unhandled"
    assert json.loads(result.payload)["errorType"] == "Runtime.MarshalError"


def test_missing_module_and_handler(lambda_runtime: LambdaRuntime, sample_zip: bytes):
    missing_module = make_spec(sample_zip, "samples.nothing_here.handler", name="nomod")
    result = lambda_runtime.invoke(missing_module, b"{}")
    assert result.function_error == "Unhandled"
    assert json.loads(result.payload)["errorType"] == "Runtime.ImportModuleError"
    missing_function = make_spec(sample_zip, "samples.handlers.nope", name="nofunc")
    result = lambda_runtime.invoke(missing_function, b"{}")
    assert json.loads(result.payload)["errorType"] == "Runtime.HandlerNotFound"


def test_concurrent_invocations_use_a_pool(lambda_runtime: LambdaRuntime, spec_for: SpecFactory):
    spec = spec_for("sleep", name="parallel", timeout_seconds=5)
    barrier_results: list[bytes] = []
    lock = threading.Lock()

    def call() -> None:
        result = lambda_runtime.invoke(spec, json.dumps({"seconds": 0.3}).encode())
        with lock:
            barrier_results.append(result.payload)

    threads = [threading.Thread(target=call) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert barrier_results == [b'"woke up"'] * 4
    # The fixture caps the pool at two workers per function version.
    assert 1 <= lambda_runtime.worker_count(spec.function_arn) <= 2


def test_new_code_replaces_the_workers(tmp_path: Path):
    sink = RecordingLogSink()
    runtime = LambdaRuntime(tmp_path, sink, {})
    try:
        first_zip = build_zip({"app.py": "VERSION = 1\ndef handler(e, c):\n    return VERSION\n"})
        second_zip = build_zip({"app.py": "VERSION = 2\ndef handler(e, c):\n    return VERSION\n"})
        assert runtime.invoke(make_spec(first_zip, "app.handler"), b"{}").payload == b"1"
        assert runtime.invoke(make_spec(second_zip, "app.handler"), b"{}").payload == b"2"
        assert runtime.worker_count() == 1
        changed_env = make_spec(second_zip, "app.handler", environment={"X": "1"})
        assert runtime.invoke(changed_env, b"{}").payload == b"2"
        assert runtime.worker_count() == 1
    finally:
        runtime.shutdown()
    assert runtime.worker_count() == 0
    with pytest.raises(RuntimeError, match="shut down"):
        runtime.invoke(make_spec(first_zip, "app.handler"), b"{}")


def test_waiting_call_survives_a_version_change(tmp_path: Path, sample_zip: bytes):
    """A call queued for a full pool still runs when the function changes meanwhile."""
    runtime = LambdaRuntime(tmp_path, RecordingLogSink(), {}, max_workers_per_function=1)
    old = make_spec(sample_zip, "samples.handlers.sleep", name="versioned", timeout_seconds=5)
    new = make_spec(sample_zip, "samples.handlers.sleep", name="versioned", environment={"V": "2"})
    results: list[bytes] = []
    busy = threading.Thread(
        target=lambda: results.append(runtime.invoke(old, b'{"seconds": 0.6}').payload)
    )
    queued = threading.Thread(
        target=lambda: results.append(runtime.invoke(old, b'{"seconds": 0}').payload)
    )
    try:
        busy.start()
        while runtime.worker_count() == 0:  # the first call holds the only worker
            threading.Event().wait(0.01)
        queued.start()
        assert runtime.invoke(new, b'{"seconds": 0}').payload == b'"woke up"'
        busy.join(timeout=20)
        queued.join(timeout=20)
        assert not queued.is_alive(), "the queued call never ran"
        assert results.count(b'"woke up"') == 2
    finally:
        runtime.shutdown()


def test_a_call_with_the_previous_configuration_keeps_the_new_workers(
    tmp_path: Path, sample_zip: bytes
):
    """UpdateFunctionConfiguration while calls are in flight (the history check's failover): a
    call that read the configuration before the update still runs, and does not throw away the
    warm workers of the new configuration (each one thrown away is a cold start for the next
    call, and a burst of them ran past the init timeout under load)."""
    runtime = LambdaRuntime(tmp_path, RecordingLogSink(), {}, max_workers_per_function=2)
    base = make_spec(sample_zip, "samples.handlers.counter", name="updated")
    # The configuration as read before the update (t=1) and after it (t=2).
    old = dataclasses.replace(base, environment={"V": "1"}, read_at=1.0)
    new = dataclasses.replace(base, environment={"V": "2"}, read_at=2.0)
    try:
        runtime.invoke(old, b"{}")
        warm = json.loads(runtime.invoke(new, b"{}").payload)["pid"]
        stale = json.loads(runtime.invoke(old, b"{}").payload)  # read before the update
        assert stale["pid"] != warm
        after = json.loads(runtime.invoke(new, b"{}").payload)
        assert after["pid"] == warm, "the new configuration's warm worker was thrown away"
        assert after["calls"] == 2
        # Changing back (a failback) is a new update: read after it, it is the current one.
        back = dataclasses.replace(old, read_at=3.0)
        json.loads(runtime.invoke(back, b"{}").payload)
        assert runtime.worker_count() == 1  # the V=2 workers retired
    finally:
        runtime.shutdown()


def test_max_memory_used_is_the_functions_own_not_the_emulators(tmp_path: Path, sample_zip: bytes):
    # getrusage's ru_maxrss survives execve (getrusage(2), NOTES), so a worker forked from a
    # large emulator reported the emulator's size as its own "Max Memory Used".
    ballast = b"x" * (400 * 1024 * 1024)  # the parent's resident set, touched
    sink = RecordingLogSink()
    runtime = LambdaRuntime(tmp_path, sink, {})
    try:
        runtime.invoke(make_spec(sample_zip, "samples.handlers.counter", name="small"), b"{}")
    finally:
        runtime.shutdown()
    del ballast
    report = next(line for _, lines in sink.records for line in lines if line.startswith("REPORT"))
    used_mb = int(report.split("Max Memory Used: ")[1].split(" MB")[0])
    assert 0 < used_mb < 200, report
