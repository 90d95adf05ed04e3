"""One request per route, hop by hop, from the devstack's own timings (contract H).

``DELETE /_devstack/timings`` clears, the requests run through the edge like a client's, then
``GET /_devstack/timings?limit=N`` returns the recent requests with their hops, matched here by the
API Gateway request id the client saw (``x-amzn-RequestId``). A stack without the endpoint (404)
gives "not available" instead of numbers.

On AWS the same breakdown comes from the API Gateway access log and X-Ray: see
:data:`load.aws.ACCESS_LOG_QUERY` and :data:`load.aws.XRAY_FILTER`.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import requests

from load.report import HopRow

TIMINGS_PATH = "/_devstack/timings"


@dataclass(frozen=True)
class Probe:
    label: str
    method: str
    path: str
    token: str | None
    body: dict[str, Any] | None = None
    headers: Mapping[str, str] | None = None


def match(probes: list[tuple[Probe, int, str]], recorded: list[dict[str, Any]]) -> list[HopRow]:
    """Each probe's (status, request id) joined with the recorded request of that id."""
    by_id = {str(item.get("request_id")): item for item in recorded}
    rows: list[HopRow] = []
    for probe, status, request_id in probes:
        item = by_id.get(request_id)
        hops = dict(item.get("hops") or {}) if item else {}
        total = item.get("total_ms") if item else None
        rows.append(
            HopRow(
                label=probe.label,
                status=status,
                total_ms=float(total) if isinstance(total, int | float) else None,
                hops=hops,
            )
        )
    return rows


def breakdown(endpoint: str, base_url: str, probes: list[Probe]) -> tuple[list[HopRow] | None, str]:
    """Run the probes and read their timings; (None, why) when the stack has no timings."""
    http = requests.Session()
    cleared = http.delete(f"{endpoint}{TIMINGS_PATH}", timeout=30)
    if cleared.status_code == 404:
        return None, (
            f"this stack answers 404 on {TIMINGS_PATH} (contract H, the devstack's per-request "
            "timings, is not in this checkout yet)"
        )
    done: list[tuple[Probe, int, str]] = []
    for probe in probes:
        headers = dict(probe.headers or {})
        if probe.token:
            headers["Authorization"] = f"Bearer {probe.token}"
        response = http.request(
            probe.method, f"{base_url}{probe.path}", json=probe.body, headers=headers, timeout=60
        )
        request_id = response.headers.get("x-amzn-RequestId", "")
        done.append((probe, response.status_code, request_id))
    recorded = http.get(
        f"{endpoint}{TIMINGS_PATH}", params={"limit": max(50, 4 * len(probes))}, timeout=30
    )
    if recorded.status_code != 200:
        return None, f"GET {TIMINGS_PATH} -> {recorded.status_code}"
    return match(done, list(recorded.json().get("requests", []))), ""


def standard_probes(
    user_token: str, fresh_user_token: str, partner_token: str | None, transaction_id: str | None
) -> list[Probe]:
    """One request per route; the authorizer once uncached (a token it never saw), then cached."""
    key = uuid.uuid4().hex
    body = {"amount": "1.00", "currency": "EUR", "type": "debit", "reference": f"hops-{key}"}
    probes = [
        Probe("GET /health (no auth)", "GET", "/health", None),
        Probe("GET /profiles/me (Cognito authorizer)", "GET", "/profiles/me", user_token),
        Probe(
            "GET /transactions (authorizer uncached)",
            "GET",
            "/transactions?limit=20",
            fresh_user_token,
        ),
        Probe(
            "GET /transactions (authorizer cached)",
            "GET",
            "/transactions?limit=20",
            fresh_user_token,
        ),
        Probe(
            "POST /transactions",
            "POST",
            "/transactions",
            fresh_user_token,
            body,
            {"Idempotency-Key": key},
        ),
    ]
    if transaction_id:
        probes.append(
            Probe(
                "GET /transactions/{id}",
                "GET",
                f"/transactions/{transaction_id}",
                fresh_user_token,
            )
        )
    if partner_token:
        probes.append(
            Probe(
                "GET /transactions (partner, uncached)",
                "GET",
                "/transactions?limit=20",
                partner_token,
            )
        )
    return probes
