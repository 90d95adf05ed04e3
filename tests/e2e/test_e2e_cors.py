"""Suite: CORS. A browser app served from another origin can call every route and read every
answer, success or error.

With a Lambda proxy integration API Gateway passes the function's response through untouched, so
the functions must send Access-Control-Allow-Origin themselves; the gateway adds it only to its own
gateway responses and to the mock-integration preflights
(https://docs.aws.amazon.com/apigateway/latest/developerguide/how-to-cors.html).

Two tests: every route's headers, checked with plain HTTP; and a real cross-origin ``fetch()`` in
headless Chromium (Debian package ``chromium``, or Google Chrome; ``CHROMIUM=/path`` picks one),
which reads the JSON bodies only if the browser's CORS checks pass. Without a browser installed the
second test is skipped, saying so (docs/testing-guide.md).
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import requests
from e2e_support.api import Api, describe, extra_headers, new_idempotency_key
from e2e_support.users import User

# A page origin that is not the API's: another scheme, host or port makes a request cross-origin.
BROWSER_CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
PAYMENT = {"amount": "4.20", "currency": "EUR", "type": "debit"}
UNKNOWN_ULID = "01ARZ3NDEKTSV4RRFFQ69G5FAV"


def configured_origin(api: Api) -> str:
    """The stack's cors_allow_origin, as its preflight (a mock integration) announces it."""
    response = requests.options(
        api.url("/profiles/me"),
        headers={
            **extra_headers(),
            "Origin": "https://browser.example",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "authorization",
        },
        timeout=api.timeout,
    )
    origin = response.headers.get("Access-Control-Allow-Origin")
    assert origin, f"the preflight carries no Access-Control-Allow-Origin: {describe(response)}"
    return origin


def test_every_route_answers_a_browser_origin_with_the_configured_origin(
    api: Api, user: User
) -> None:
    allowed = configured_origin(api)
    origin = "https://browser.example" if allowed == "*" else allowed
    headers = {"Origin": origin}
    token = user.id_token
    replies: list[tuple[str, int, requests.Response]] = []

    def record(label: str, status: int, response: requests.Response) -> requests.Response:
        replies.append((label, status, response))
        return response

    record("GET /health", 200, api.get("/health", headers=headers))
    record(
        "GET /profiles/me (none yet)", 404, api.get("/profiles/me", token=token, headers=headers)
    )
    record("GET /profiles/me (no token)", 401, api.get("/profiles/me", headers=headers))
    record(
        "POST /profiles",
        201,
        api.post("/profiles", token=token, json_body={"display_name": "Cors"}, headers=headers),
    )
    record("GET /profiles/me", 200, api.get("/profiles/me", token=token, headers=headers))
    record(
        "PUT /profiles/me",
        200,
        api.put(
            "/profiles/me",
            token=token,
            json_body={"display_name": "Cors 2", "version": 1},
            headers=headers,
        ),
    )
    session = record(
        "POST /profiles/me/sessions",
        201,
        api.post(
            "/profiles/me/sessions",
            token=token,
            json_body={"device_name": "browser", "platform": "web"},
            headers=headers,
        ),
    )
    record(
        "GET /profiles/me/sessions",
        200,
        api.get("/profiles/me/sessions", token=token, headers=headers),
    )
    if session.status_code == 201:
        record(
            "DELETE /profiles/me/sessions/{id}",
            204,
            api.delete(
                f"/profiles/me/sessions/{session.json()['session_id']}",
                token=token,
                headers=headers,
            ),
        )
    created = record(
        "POST /transactions",
        201,
        api.post(
            "/transactions",
            token=token,
            json_body=PAYMENT,
            headers={**headers, "Idempotency-Key": new_idempotency_key()},
        ),
    )
    record("GET /transactions", 200, api.get("/transactions", token=token, headers=headers))
    record(
        "GET /transactions?limit=0 (function's 400)",
        400,
        api.get("/transactions", token=token, params={"limit": "0"}, headers=headers),
    )
    if created.status_code == 201:
        record(
            "GET /transactions/{id}",
            200,
            api.get(
                f"/transactions/{created.json()['transaction_id']}", token=token, headers=headers
            ),
        )
    record(
        "GET /transactions/{unknown}",
        404,
        api.get(f"/transactions/{UNKNOWN_ULID}", token=token, headers=headers),
    )
    record(
        "GET /profiles/me/export", 200, api.get("/profiles/me/export", token=token, headers=headers)
    )
    record("DELETE /profiles/me", 204, api.delete("/profiles/me", token=token, headers=headers))

    problems = []
    for label, status, response in replies:
        if response.status_code != status:
            problems.append(f"{label}: expected {status}, got {describe(response)}")
        elif response.headers.get("Access-Control-Allow-Origin") != allowed:
            problems.append(
                f"{label}: Access-Control-Allow-Origin is "
                f"{response.headers.get('Access-Control-Allow-Origin')!r}, expected {allowed!r}"
            )
    assert problems == [], "\n".join(problems)


# -- a real browser --------------------------------------------------------------------------

PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>cors</title></head>
<body><pre id="result">pending</pre>
<script>
const api = %(api)s;
const token = %(token)s;
const auth = {"Authorization": "Bearer " + token};
async function call(label, path, init) {
  try {
    const response = await fetch(api + path, init);
    const text = await response.text();
    return {label, status: response.status, body: text ? JSON.parse(text) : null};
  } catch (error) {
    // A CORS refusal: the browser hides the response and fetch() rejects with a TypeError.
    return {label, error: String(error)};
  }
}
(async () => {
  const results = [];
  results.push(await call("missing profile", "/profiles/me", {headers: auth}));
  results.push(await call("create profile", "/profiles", {
    method: "POST",
    headers: {...auth, "Content-Type": "application/json"},
    body: JSON.stringify({display_name: "Browser"}),
  }));
  results.push(await call("read profile", "/profiles/me", {headers: auth}));
  results.push(await call("create transaction", "/transactions", {
    method: "POST",
    headers: {...auth, "Content-Type": "application/json", "Idempotency-Key": %(key)s},
    body: JSON.stringify(%(payment)s),
  }));
  results.push(await call("list transactions", "/transactions?limit=5", {headers: auth}));
  results.push(await call("bad limit", "/transactions?limit=0", {headers: auth}));
  results.push(await call("no token", "/profiles/me", {}));
  document.getElementById("result").textContent = "RESULT" + JSON.stringify(results) + "END";
})();
</script></body></html>
"""


def find_browser() -> str | None:
    explicit = os.environ.get("CHROMIUM")
    if explicit:
        return explicit
    for name in BROWSER_CANDIDATES:
        path = shutil.which(name)
        if path:
            return path
    return None


@pytest.fixture
def page_server() -> Iterator[tuple[str, dict[str, bytes]]]:
    """An HTTP server on another port of 127.0.0.1: another origin than the API's."""
    pages: dict[str, bytes] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = pages.get(self.path)
            self.send_response(200 if body is not None else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(body or b"")

        def log_message(self, *_args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", pages
    finally:
        server.shutdown()
        server.server_close()


def test_a_browser_on_another_origin_reads_every_answer(
    api: Api, user: User, page_server: tuple[str, dict[str, bytes]], tmp_path: Any
) -> None:
    browser = find_browser()
    if browser is None:
        pytest.skip(
            "no Chromium or Chrome found (apt-get install chromium, or CHROMIUM=/path): "
            "the real-browser CORS check did not run"
        )
    if extra_headers():
        pytest.skip("a browser cannot add E2E_EXTRA_HEADERS: point the suite at the public URL")
    page_origin, pages = page_server
    assert not api.base_url.startswith(page_origin), "the page must be on another origin"
    pages["/cors.html"] = (
        PAGE
        % {
            "api": json.dumps(api.base_url),
            "token": json.dumps(user.id_token),
            "key": json.dumps(new_idempotency_key()),
            "payment": json.dumps(PAYMENT),
        }
    ).encode()
    completed = subprocess.run(  # noqa: S603 - fixed argv, our own page
        [
            browser,
            "--headless=new",
            "--no-sandbox",  # root in CI containers
            "--disable-gpu",
            "--no-first-run",
            f"--user-data-dir={tmp_path / 'profile'}",
            # Virtual time stands still while network requests are pending, so the page's
            # fetch() calls finish before the DOM is dumped.
            "--virtual-time-budget=60000",
            "--dump-dom",
            f"{page_origin}/cors.html",
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    # The dumped DOM also holds the script's own text: read the <pre> element only.
    match = re.search(r'<pre id="result">RESULT(.*?)END</pre>', completed.stdout, flags=re.DOTALL)
    assert match, f"the page did not finish: rc={completed.returncode} {completed.stderr[-2000:]}"
    results = {entry["label"]: entry for entry in json.loads(html.unescape(match.group(1)))}
    expected = {
        "missing profile": (404, "NOT_FOUND"),
        "create profile": (201, None),
        "read profile": (200, None),
        "create transaction": (201, None),
        "list transactions": (200, None),
        "bad limit": (400, "VALIDATION_ERROR"),
        "no token": (401, "UNAUTHORIZED"),
    }
    for label, (status, code) in expected.items():
        result = results[label]
        assert "error" not in result, f"{label}: the browser refused the answer: {result}"
        assert result["status"] == status, (label, result)
        if code is not None:
            assert result["body"]["error"]["code"] == code, (label, result)
    assert results["read profile"]["body"]["display_name"] == "Browser"
    assert results["create transaction"]["body"]["amount"] == PAYMENT["amount"]
    listed = [item["transaction_id"] for item in results["list transactions"]["body"]["items"]]
    assert results["create transaction"]["body"]["transaction_id"] in listed
