"""The response checks are strict enough to fail, and the suites stay clear of the app's code."""

from __future__ import annotations

import ast
import importlib.util
import io
import json
import sys
from pathlib import Path
from types import ModuleType

import pytest
import requests
from e2e_support.api import assert_error_body, expect_error, extra_headers, poll

E2E_DIR = Path(__file__).resolve().parents[1]
REPO = E2E_DIR.parents[1]


def response(status: int, body: object | str) -> requests.Response:
    result = requests.Response()
    result.status_code = status
    result._content = (body if isinstance(body, str) else json.dumps(body)).encode()
    result.request = requests.Request("GET", "http://example.test/x").prepare()
    result.url = "http://example.test/x"
    return result


GOOD = {"error": {"code": "NOT_FOUND", "message": "no profile", "request_id": "r-1"}}


def test_the_error_shape_is_accepted() -> None:
    expect_error(response(404, GOOD), 404)


@pytest.mark.parametrize(
    "body",
    [
        {"message": "Not Found"},  # API Gateway's default body
        {"error": {"code": "NOT_FOUND", "message": "x"}},  # no request_id
        {"error": {"code": "NOT_FOUND", "message": "x", "request_id": ""}},
        {"error": {"code": "NOT_FOUND", "message": "", "request_id": "r"}},
        {"error": {"code": "NOT_FOUND", "message": "x", "request_id": "r", "stack": "..."}},
        {"error": {"code": "CONFLICT", "message": "x", "request_id": "r"}},  # wrong code
        "<html>Not Found</html>",
    ],
)
def test_anything_else_is_refused(body: object) -> None:
    with pytest.raises(AssertionError):
        expect_error(response(404, body), 404)


def test_wrong_status_is_refused() -> None:
    with pytest.raises(AssertionError, match="expected"):
        expect_error(response(400, GOOD), 404)


def test_a_leaked_traceback_is_refused() -> None:
    body = {"error": {"code": "NOT_FOUND", "message": "Traceback (most recent", "request_id": "r"}}
    with pytest.raises(AssertionError, match="stack trace"):
        assert_error_body(response(404, body), "NOT_FOUND")


def test_poll_stops_at_the_first_accepted_response() -> None:
    calls: list[int] = []

    def action() -> requests.Response:
        calls.append(1)
        return response(200 if len(calls) == 3 else 404, {})

    result = poll(action, lambda r: r.status_code == 200, within_seconds=30, interval=0)
    assert result.status_code == 200
    assert len(calls) == 3


def test_poll_gives_up_and_returns_the_last_response() -> None:
    result = poll(lambda: response(404, {}), lambda r: False, within_seconds=0, interval=0)
    assert result.status_code == 404


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_no_suite_or_script_imports_the_application() -> None:
    files = [*E2E_DIR.rglob("*.py"), REPO / "scripts" / "smoke.py"]
    offenders = [str(f) for f in files if "meridian" in _imported_modules(f)]
    assert offenders == []


def _load_smoke() -> ModuleType:
    spec = importlib.util.spec_from_file_location("smoke", REPO / "scripts" / "smoke.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["smoke"] = module  # dataclasses resolve annotations through it
    spec.loader.exec_module(module)
    return module


def test_smoke_report_marks_steps_and_counts() -> None:
    smoke = _load_smoke()
    out = io.StringIO()
    report = smoke.Report(out=out)
    report.step("works", lambda: "detail")

    def boom() -> str:
        raise AssertionError("expected 201, got 500")

    with pytest.raises(AssertionError):
        report.step("breaks", boom)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("  \u2714 works")
    assert lines[0].endswith("detail")
    assert lines[1].startswith("  \u2718 breaks")
    assert "expected 201, got 500" in lines[1]
    assert report.summary().startswith("smoke: 1 passed, 1 failed")


def test_smoke_exits_2_without_a_target(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    smoke = _load_smoke()
    assert smoke.main(["--stack", str(tmp_path / "missing.json")]) == 2
    assert "make up" in capsys.readouterr().err


def test_extra_headers_go_on_every_request(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("E2E_EXTRA_HEADERS", json.dumps({"X-Origin-Verify": "v"}))
    assert extra_headers() == {"X-Origin-Verify": "v"}
    monkeypatch.delenv("E2E_EXTRA_HEADERS")
    assert extra_headers() == {}
