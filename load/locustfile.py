"""Locust scenarios: the traffic of the mobile app's users and of partner services.

Weights follow what a mobile banking-style app does most: read the profile and the transaction
list, open a transaction, now and then create one (with an Idempotency-Key, and a retry of the
same key as after a lost response), update the profile (optimistic ``version``), register a device
session. Partners (server to server, HS256 tokens) create and list transactions in their own
namespace. Each Locust user aims at ``fleet.per_user_rate`` tasks per second
(``constant_throughput``), so the offered load is users x rate whatever the latency, and the
achieved rate shows where the stack stops keeping up.

Every answer is classified once (:func:`classify`): expected answers, allowed refusals under load
(429, or 503 with ``Retry-After``; never 503 ``REGION_NOT_WRITABLE``), and violations (any other
5xx, no answer at all, an unexpected 4xx). The run fails on any violation.

Run standalone (a distributed worker, docs/load.md): ``locust -f load/locustfile.py --worker``.
"""

from __future__ import annotations

import random
import uuid
from typing import Any

from locust import HttpUser, constant_throughput, events, task
from locust.env import Environment

from load.fleet import Identity, PartnerClient, current
from load.ledger import transaction_reference
from load.outcomes import classify, error_code

CURRENCIES = (("EUR", "12.50"), ("USD", "3.99"), ("GBP", "120.00"), ("JPY", "1500"))
# Share of creates that retry the same Idempotency-Key at once (as after a lost response).
RETRY_SHARE = 0.25
PLATFORMS = ("ios", "android")


def transaction_body(run_id: str, key: str) -> dict[str, Any]:
    currency, amount = random.choice(CURRENCIES)  # noqa: S311 - traffic mix, not security
    return {
        "amount": amount,
        "currency": currency,
        "type": random.choice(("debit", "credit")),  # noqa: S311
        "reference": transaction_reference(run_id, key),
    }


class _Client(HttpUser):
    abstract = True

    def __init__(self, environment: Environment) -> None:
        super().__init__(environment)  # type: ignore[no-untyped-call]
        self.fleet = current()
        self.host = self.fleet.base_url
        self._rate = self.fleet.per_user_rate
        self._pacer = constant_throughput(self._rate)
        adapter = self.fleet.next_source_adapter()
        if adapter:  # the devstack: this client's own IP for the WAF (fleet.py)
            self.client.mount("http://", adapter)
            self.client.mount("https://", adapter)

    def wait_time(self) -> float:
        """Locust's ``constant_throughput`` at the fleet's current rate (the sweep sets its own)."""
        if self.fleet.per_user_rate != self._rate:
            # constant_throughput keeps its state on the user, so a new pacer carries on from it.
            self._rate = self.fleet.per_user_rate
            self._pacer = constant_throughput(self._rate)
        return self._pacer(self)

    def call(
        self,
        route: str,
        path: str,
        token: str,
        expected: frozenset[int],
        *,
        json: object = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, Any]:
        """One request (``route`` = "METHOD /path template", Locust's name for its stats);
        returns (status, JSON body or None). Status 0 = no answer."""
        method = route.split(" ", 1)[0]
        all_headers = {"Authorization": f"Bearer {token}", **(headers or {})}
        with self.client.request(
            method,
            path,
            name=route,
            json=json,
            headers=all_headers,
            timeout=60,
            catch_response=True,
        ) as response:
            status = int(response.status_code or 0)
            try:
                body = response.json() if response.content else None
            except ValueError:
                body = None
            verdict = classify(status, expected, body, response.headers.get("Retry-After"))
            request_id = response.headers.get("x-amzn-RequestId") or ""
            ledger = self.fleet.ledger
            ledger.record_outcome(route, status)
            if verdict == "ok":
                response.success()
            else:
                response.failure(f"{status} {error_code(body)}".strip())
                if verdict == "violation":
                    ledger.record_violation(
                        route, status, f"{error_code(body) or '-'} {request_id}".strip()
                    )
        return status, body

    def create_transaction(self, owner: str, token: str, ids: list[str]) -> None:
        run_id = self.fleet.run_id
        key = uuid.uuid4().hex
        body = transaction_body(run_id, key)
        headers = {"Idempotency-Key": key}
        self.fleet.ledger.begin_transaction(owner, key, body)
        attempts = 2 if random.random() < RETRY_SHARE else 1  # noqa: S311
        for _ in range(attempts):
            status, answer = self.call(
                "POST /transactions",
                "/transactions",
                token,
                frozenset({200, 201}),
                json=body,
                headers=headers,
            )
            transaction_id = answer.get("transaction_id") if isinstance(answer, dict) else None
            self.fleet.ledger.record_transaction(owner, key, body, status, transaction_id)
            if transaction_id and status in (200, 201) and transaction_id not in ids:
                ids.append(str(transaction_id))

    def read_transaction(self, token: str, ids: list[str]) -> None:
        if ids:
            transaction_id = random.choice(ids[-20:])  # noqa: S311
            self.call(
                "GET /transactions/{id}",
                f"/transactions/{transaction_id}",
                token,
                frozenset({200}),
            )

    def list_transactions(self, token: str) -> None:
        self.call("GET /transactions", "/transactions?limit=20", token, frozenset({200}))


class MobileUser(_Client):
    """An app user (Cognito ID token) on their phone."""

    weight = 4
    identity: Identity

    def on_start(self) -> None:
        self.identity = self.fleet.acquire()

    def on_stop(self) -> None:
        self.fleet.release(self.identity)

    @task(6)
    def read_profile(self) -> None:
        self.fleet.count_task()
        status, body = self.call(
            "GET /profiles/me", "/profiles/me", self.identity.id_token, frozenset({200})
        )
        if status == 200 and isinstance(body, dict):
            self.identity.profile_version = int(body["version"])

    @task(5)
    def list_own_transactions(self) -> None:
        self.fleet.count_task()
        self.list_transactions(self.identity.id_token)

    @task(2)
    def open_transaction(self) -> None:
        self.fleet.count_task()
        self.read_transaction(self.identity.id_token, self.identity.transaction_ids)

    @task(3)
    def pay(self) -> None:
        self.fleet.count_task()
        self.create_transaction(
            self.identity.owner, self.identity.id_token, self.identity.transaction_ids
        )

    @task(1)
    def update_profile(self) -> None:
        self.fleet.count_task()
        identity = self.identity
        fields = {
            "display_name": f"Load {uuid.uuid4().hex[:8]}",
            "marketing_opt_in": random.random() < 0.5,  # noqa: S311
        }
        # Noted before sending: if this Locust user is stopped mid-request the write may land.
        self.fleet.ledger.record_indeterminate_profile(
            identity.owner, identity.profile_version + 1, fields
        )
        status, body = self.call(
            "PUT /profiles/me",
            "/profiles/me",
            identity.id_token,
            frozenset({200, 409}),  # 409: another device wrote first; the app re-reads
            json={**fields, "version": identity.profile_version},
        )
        ledger = self.fleet.ledger
        if status == 200 and isinstance(body, dict):
            identity.profile_version = int(body["version"])
            identity.profile_fields = fields
            ledger.record_profile(identity.owner, identity.profile_version, fields)

    @task(1)
    def sessions(self) -> None:
        self.fleet.count_task()
        token = self.identity.id_token
        self.call(
            "POST /profiles/me/sessions",
            "/profiles/me/sessions",
            token,
            frozenset({201}),
            json={"device_name": "Load phone", "platform": random.choice(PLATFORMS)},  # noqa: S311
        )
        self.call("GET /profiles/me/sessions", "/profiles/me/sessions", token, frozenset({200}))


class PartnerService(_Client):
    """A partner's backend (HS256 token with its own key), in the partner's namespace."""

    weight = 1
    partner: PartnerClient | None
    transaction_ids: list[str]

    def on_start(self) -> None:
        self.partner = self.fleet.next_partner()
        self.transaction_ids = []

    @task(3)
    def create(self) -> None:
        self.fleet.count_task()
        if self.partner is not None:
            self.create_transaction(
                self.partner.owner, self.partner.current_token(), self.transaction_ids
            )

    @task(2)
    def list_recent(self) -> None:
        self.fleet.count_task()
        if self.partner is not None:
            self.list_transactions(self.partner.current_token())

    @task(1)
    def read_one(self) -> None:
        self.fleet.count_task()
        if self.partner is not None:
            self.read_transaction(self.partner.current_token(), self.transaction_ids)


@events.quitting.add_listener  # type: ignore[untyped-decorator]
def _finish_standalone_worker(environment: Environment, **_: object) -> None:
    """A distributed worker (``locust -f load/locustfile.py --worker``) checks its own ledger.

    Each worker created its own app users, so it alone can read their data back: it reconciles
    (bounded polling on AWS), removes its users, and leaves ``ledger-<pid>.json`` and
    ``reconciliation-<pid>.json`` in ``LOAD_LEDGER_DIR`` (default build/load) for the operator.
    The orchestrator (load/run.py) does all of this itself.
    """
    import json  # noqa: PLC0415
    import os  # noqa: PLC0415
    from pathlib import Path  # noqa: PLC0415

    from load import run, setup  # noqa: PLC0415

    fleet = current()
    if not fleet.standalone:
        return
    directory = Path(os.environ.get("LOAD_LEDGER_DIR", "build/load"))
    fleet.ledger.dump(directory / f"ledger-{os.getpid()}.json")
    try:
        result = run.reconcile_run(fleet, since="")
    finally:
        problems = setup.cleanup(fleet)
    summary = {
        "run_id": fleet.run_id,
        "violations": len(fleet.ledger.violations),
        "acknowledged_transactions": result.acknowledged_transactions,
        "failures": result.failures,
        "cleanup_problems": problems,
    }
    (directory / f"reconciliation-{os.getpid()}.json").write_text(json.dumps(summary, indent=1))
    print(f"load worker: {json.dumps(summary)[:2000]}")
