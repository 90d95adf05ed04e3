"""A thin HTTP client for one region's API stage, and the checks every response must pass."""

from __future__ import annotations

import json
import os
import re
import time
import uuid
from collections.abc import Callable, Mapping
from typing import Any

import requests

ERROR_CODES = {
    400: "VALIDATION_ERROR",
    401: "UNAUTHORIZED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    409: "CONFLICT",
    422: "IDEMPOTENCY_KEY_REUSED",
    429: "THROTTLED",
    500: "INTERNAL_ERROR",
    502: "BAD_GATEWAY",
    503: "SERVICE_UNAVAILABLE",
}
_UNSET: Any = object()


def auth_header(token: str) -> dict[str, str]:
    """The Authorization header a client sends.

    ``Bearer <jwt>`` by default; ``E2E_AUTH_SCHEME=raw`` sends the bare token (what API Gateway's
    console examples use for Cognito authorizers).
    """
    if os.environ.get("E2E_AUTH_SCHEME", "bearer").lower() == "raw":
        return {"Authorization": token}
    return {"Authorization": f"Bearer {token}"}


def extra_headers() -> dict[str, str]:
    """Headers every request carries, from ``E2E_EXTRA_HEADERS`` (a JSON object).

    Against AWS that is where CloudFront's origin-verify header goes when calling the regional
    APIs directly; the devstack needs none.
    """
    raw = os.environ.get("E2E_EXTRA_HEADERS")
    return {str(k): str(v) for k, v in json.loads(raw).items()} if raw else {}


def new_idempotency_key() -> str:
    return uuid.uuid4().hex


class Api:
    """Requests against ``{base_url}{path}``; every call gets a fresh connection-pooled session."""

    def __init__(
        self,
        base_url: str,
        region: str,
        timeout: float = 30.0,
        default_headers: Mapping[str, str] | None = None,
        via: str = "regional",
    ) -> None:
        """``via``: "edge" (the CloudFront URL) or "regional" (one region's stage URL).

        ``default_headers`` go with every request: a regional API called directly gets the
        origin-verify header CloudFront would add (``Target.origin_verify_headers``).
        """
        self.base_url = base_url.rstrip("/")
        self.region = region
        self.timeout = timeout
        self.default_headers = dict(default_headers or {})
        self.via = via
        self.session = requests.Session()

    def clone(self) -> Api:
        """The same API with a session of its own (requests.Session is not thread-safe)."""
        return Api(self.base_url, self.region, self.timeout, self.default_headers, self.via)

    def url(self, path: str) -> str:
        return f"{self.base_url}{path}"

    def request(
        self,
        method: str,
        path: str,
        *,
        token: str | None = None,
        json_body: Any = _UNSET,
        data: bytes | str | None = None,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, str | int] | None = None,
        raw_authorization: str | None = None,
    ) -> requests.Response:
        all_headers: dict[str, str] = {**self.default_headers, **extra_headers()}
        if token is not None:
            all_headers.update(auth_header(token))
        if raw_authorization is not None:
            all_headers["Authorization"] = raw_authorization
        body: bytes | str | None = data
        if json_body is not _UNSET:
            body = json.dumps(json_body).encode()
            all_headers["Content-Type"] = "application/json"
        all_headers.update(headers or {})
        return self.session.request(
            method,
            self.url(path),
            data=body,
            headers=all_headers,
            params=params,
            timeout=self.timeout,
        )

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("POST", path, **kwargs)

    def put(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("PUT", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("DELETE", path, **kwargs)

    def post_transaction(
        self, token: str, body: Mapping[str, Any], key: str | None = None
    ) -> requests.Response:
        return self.post(
            "/transactions",
            token=token,
            json_body=dict(body),
            headers={"Idempotency-Key": key or new_idempotency_key()},
        )

    def all_transactions(self, token: str) -> list[dict[str, Any]]:
        """Every transaction of the caller, following ``next_cursor``."""
        items: list[dict[str, Any]] = []
        params: dict[str, str | int] = {"limit": 100}
        while True:
            response = self.get("/transactions", token=token, params=params)
            expect_status(response, 200)
            page = response.json()
            items.extend(page["items"])
            if not page.get("next_cursor"):
                return items
            params = {"limit": 100, "cursor": page["next_cursor"]}


def describe(response: Any) -> str:
    """One line for a failure message (a requests or a schemathesis response)."""
    body = str(response.text)
    if len(body) > 600:
        body = body[:600] + "…"
    request = response.request
    return f"{request.method} {request.url} -> {response.status_code}: {body}"


def expect_status(response: requests.Response, *statuses: int) -> None:
    if response.status_code not in statuses:
        raise AssertionError(f"expected {statuses}, got {describe(response)}")


def expect_error(response: requests.Response, status: int, code: str | None = None) -> None:
    """The exact status and the one error shape {"error": {"code","message","request_id"}}."""
    expect_status(response, status)
    assert_error_body(response, code or ERROR_CODES[status])


def assert_error_body(response: Any, code: str) -> None:
    try:
        body = response.json()
    except ValueError as error:
        raise AssertionError(f"error body is not JSON: {describe(response)}") from error
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict) or set(error) != {"code", "message", "request_id"}:
        raise AssertionError(f"not the error shape: {describe(response)}")
    if error["code"] != code:
        raise AssertionError(f"expected error code {code}: {describe(response)}")
    if not isinstance(error["message"], str) or not error["message"]:
        raise AssertionError(f"error message must be a non-empty string: {describe(response)}")
    if not isinstance(error["request_id"], str) or not error["request_id"]:
        raise AssertionError(f"request_id must be a non-empty string: {describe(response)}")
    if re.search(r"Traceback|File \"/", response.text):
        raise AssertionError(f"stack trace leaked: {describe(response)}")


def poll(
    action: Callable[[], requests.Response],
    accept: Callable[[requests.Response], bool],
    within_seconds: float,
    interval: float = 0.25,
) -> requests.Response:
    """Call ``action`` until ``accept`` holds or the time is up; returns the last response."""
    deadline = time.monotonic() + within_seconds
    while True:
        response = action()
        if accept(response) or time.monotonic() >= deadline:
            return response
        time.sleep(interval)
