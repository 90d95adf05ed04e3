"""The history run: concurrent clients over both regions' APIs, a nemesis, and the final read.

Clients (threads) pick a user, a region and an operation at random (seeded):

* ``txn``: POST /transactions with an Idempotency-Key from a small per-user pool, so the same key
  is retried by other clients, in either region, at any time (always with the same body: the key
  is also the transaction's ``reference``);
* ``profile_update``: PUT /profiles/me with a version read earlier by any client (shared), so
  concurrent updates race from the same version, across regions;
* ``profile_read`` and ``txn_read`` (an acknowledged transaction, in either region).

The nemesis (devstack only: it needs ``/_devstack/replication``) keeps the replication delay at
1 s, isolates the secondary region for a while and heals it, then fails over the way contract A
describes: pause writes (``WRITE_REGION=none`` on every function in both regions) -> drain the
replication -> make the other region the write region. It changes the functions with Lambda
``UpdateFunctionConfiguration``, the API call Terraform's apply makes for ``writes_paused`` /
``active_region`` (https://docs.aws.amazon.com/lambda/latest/api/API_UpdateFunctionConfiguration.html);
at the end it fails back the same way and restores every function's original environment.

After the clients stop: heal, drain, then read the converged state from both regions' APIs.
"""

from __future__ import annotations

import random
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
from hist_model import (
    PROFILE_READ,
    PROFILE_UPDATE,
    TRANSITION,
    TXN,
    TXN_READ,
    History,
    Op,
    RegionState,
)

E2E_DIR = Path(__file__).resolve().parents[1] / "e2e"
if str(E2E_DIR) not in sys.path:
    sys.path.insert(0, str(E2E_DIR))

from e2e_support import aws  # noqa: E402
from e2e_support.api import Api  # noqa: E402
from e2e_support.target import Target  # noqa: E402
from e2e_support.users import User, UserFactory  # noqa: E402

WRITE_REGION_VARIABLE = "WRITE_REGION"  # contract A: "none" while writes are paused


@dataclass
class RunConfig:
    clients: int = 8
    users: int = 3
    duration_seconds: float = 20.0
    keys_per_user: int = 6
    delay_seconds: float = 1.0
    seed: int = 12
    failover: bool = True
    isolation: bool = True


@dataclass
class _Shared:
    """What clients learn from each other: versions read, transactions acknowledged."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    versions: dict[str, list[int]] = field(default_factory=dict)
    transactions: dict[str, list[str]] = field(default_factory=dict)


class Devstack:
    """The emulator's control endpoints and Lambda API (the nemesis' levers)."""

    def __init__(self, target: Target) -> None:
        if not target.aws_endpoint_url:
            raise RuntimeError("the history run needs the devstack (its replication controls)")
        self.target = target
        self.endpoint = target.aws_endpoint_url.rstrip("/")
        self.regions = sorted(target.api_urls)
        self._original_env: dict[tuple[str, str], dict[str, str]] = {}

    def replication(self, **settings: Any) -> dict[str, Any]:
        response = requests.put(f"{self.endpoint}/_devstack/replication", json=settings, timeout=30)
        response.raise_for_status()
        document: dict[str, Any] = response.json()
        return document

    def status(self) -> dict[str, Any]:
        document: dict[str, Any] = requests.get(
            f"{self.endpoint}/_devstack/replication", timeout=30
        ).json()
        return document

    def drain(self, timeout_seconds: float = 60.0) -> None:
        response = requests.post(
            f"{self.endpoint}/_devstack/replication/drain",
            json={"timeout_seconds": timeout_seconds},
            timeout=timeout_seconds + 30,
        )
        if response.status_code != 200:
            raise RuntimeError(f"replication did not drain: {response.text}")

    def functions(self) -> list[tuple[str, str]]:
        """(region, function name) of every function of the stack, in both regions."""
        found: list[tuple[str, str]] = []
        for region in self.regions:
            client = aws.client(self.target, "lambda", region)
            for page in client.get_paginator("list_functions").paginate():
                found.extend((region, f["FunctionName"]) for f in page["Functions"])
        return found

    def set_write_region(self, write_region: str | None) -> None:
        """What ``terraform apply`` does for writes_paused / active_region: every function's
        ``WRITE_REGION`` (contract A), through UpdateFunctionConfiguration."""
        value = write_region or "none"
        for region, name in self.functions():
            client = aws.client(self.target, "lambda", region)
            config = client.get_function_configuration(FunctionName=name)
            variables = dict(config.get("Environment", {}).get("Variables", {}))
            self._original_env.setdefault((region, name), dict(variables))
            variables[WRITE_REGION_VARIABLE] = value
            client.update_function_configuration(
                FunctionName=name, Environment={"Variables": variables}
            )

    def restore_functions(self) -> None:
        for (region, name), variables in self._original_env.items():
            aws.client(self.target, "lambda", region).update_function_configuration(
                FunctionName=name, Environment={"Variables": variables}
            )
        self._original_env.clear()


class HistoryRun:
    def __init__(self, target: Target, config: RunConfig) -> None:
        self.target = target
        self.config = config
        self.devstack = Devstack(target)
        self.primary = target.primary_region
        others = [r for r in sorted(target.api_urls) if r != self.primary]
        self.secondary = others[0]
        self._headers = dict(getattr(target, "origin_verify_headers", None) or {})
        self._local = threading.local()  # one Api (requests.Session) per region per thread
        self.history = History()
        self._shared = _Shared()
        self._op_ids = iter(range(1, 10**9))
        self._op_lock = threading.Lock()
        self._stop = threading.Event()
        self.users: list[User] = []
        self._factory = UserFactory(target, prefix="history")

    @property
    def apis(self) -> dict[str, Api]:
        apis: dict[str, Api] | None = getattr(self._local, "apis", None)
        if apis is None:
            apis = {
                region: _HeaderApi(url, region, self._headers)
                for region, url in self.target.api_urls.items()
            }
            self._local.apis = apis
        return apis

    # -- set-up and tear-down -----------------------------------------------------------------
    def set_up(self) -> None:
        self.devstack.replication(delay_seconds=self.config.delay_seconds, isolated_regions=[])
        for index in range(self.config.users):
            user = self._factory.create()
            self.users.append(user)
            name = f"u{index} initial"
            api = self.apis[self.primary]
            created = api.post("/profiles", token=user.id_token, json_body={"display_name": name})
            if created.status_code != 201:
                raise RuntimeError(f"profile create failed: {created.status_code} {created.text}")
            profile = created.json()
            self.history.initial_profiles[self._label(user)] = profile
            self._shared.versions[self._label(user)] = [int(profile["version"])]
            self._shared.transactions[self._label(user)] = []
        self.devstack.drain()
        self.history.write_regions.append((time.monotonic(), self.primary))

    def tear_down(self) -> None:
        try:
            self.devstack.replication(isolated_regions=[])
            if self.devstack._original_env:
                self._fail_over(self.primary, record=False)
                self.devstack.restore_functions()
            for user in self.users:
                self.apis[self.primary].delete("/profiles/me", token=user.id_token)
        finally:
            self._factory.cleanup()

    # -- the run ------------------------------------------------------------------------------
    def run(self) -> History:
        rng = random.Random(self.config.seed)
        threads = [
            threading.Thread(
                target=self._client, args=(n, random.Random(rng.random())), daemon=True
            )
            for n in range(self.config.clients)
        ]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        try:
            self._nemesis(started)
        finally:
            self._stop.set()
            for thread in threads:
                thread.join(timeout=120)
        self.devstack.replication(isolated_regions=[])
        self.devstack.drain()
        self._read_final_state()
        return self.history

    def _nemesis(self, started: float) -> None:
        duration = self.config.duration_seconds

        def at(fraction: float) -> None:
            remaining = started + duration * fraction - time.monotonic()
            if remaining > 0:
                self._stop.wait(remaining)

        self._event(f"replication delay {self.config.delay_seconds:g}s")
        if self.config.isolation:
            at(0.2)
            self.devstack.replication(isolated_regions=[self.secondary])
            self._event(f"isolate {self.secondary}")
            at(0.45)
            self.devstack.replication(isolated_regions=[])
            self._event(f"heal {self.secondary}")
        if self.config.failover:
            at(0.6)
            self._fail_over(self.secondary, record=True)
        at(1.0)

    def _fail_over(self, to_region: str, *, record: bool) -> None:
        """Contract A, planned: pause writes -> drain -> flip.

        The functions are updated one by one, so while an update is under way the write region
        is unknown (``TRANSITION``): the checker judges no request overlapping that window."""
        if record:
            self.history.write_regions.append((time.monotonic(), TRANSITION))
        self.devstack.set_write_region(None)
        if record:
            self.history.write_regions.append((time.monotonic(), None))
            self._event("pause writes")
        self.devstack.drain()
        if record:
            self._event("drained")
            self.history.write_regions.append((time.monotonic(), TRANSITION))
        self.devstack.set_write_region(to_region)
        if record:
            self.history.write_regions.append((time.monotonic(), to_region))
            self._event(f"write region {to_region}")

    def _event(self, what: str) -> None:
        self.history.events.append((time.monotonic(), what))

    # -- clients ------------------------------------------------------------------------------
    def _client(self, number: int, rng: random.Random) -> None:
        while not self._stop.is_set():
            user = rng.choice(self.users)
            region = rng.choice([self.primary, self.secondary])
            roll = rng.random()
            if roll < 0.4:
                self._transaction(number, rng, user, region)
            elif roll < 0.7:
                self._profile_update(number, rng, user, region)
            elif roll < 0.85:
                self._profile_read(number, user, region)
            else:
                self._transaction_read(number, rng, user, region)

    def _record(
        self, number: int, kind: str, region: str, user: User, call: Callable[[], Any]
    ) -> tuple[Op, dict[str, Any]]:
        with self._op_lock:
            op = Op(next(self._op_ids), number, kind, region, self._label(user), time.monotonic())
        body: dict[str, Any] = {}
        try:
            response = call()
        except requests.RequestException:
            response = None
        op.end = time.monotonic()
        if response is not None:
            op.status = response.status_code
            try:
                parsed = response.json()
            except ValueError:
                parsed = {}
            body = parsed if isinstance(parsed, dict) else {}
            error = body.get("error")
            if isinstance(error, dict):
                op.error_code = str(error.get("code"))
        with self._op_lock:
            self.history.ops.append(op)
        return op, body

    def _transaction(self, number: int, rng: random.Random, user: User, region: str) -> None:
        label = self._label(user)
        key = f"{label}-k{rng.randrange(self.config.keys_per_user)}"
        index = int(key.rsplit("k", 1)[1])
        body = {"amount": f"{index + 1}.00", "currency": "USD", "type": "credit", "reference": key}
        op, answer = self._record(
            number,
            TXN,
            region,
            user,
            lambda: self.apis[region].post(
                "/transactions",
                token=user.id_token,
                json_body=body,
                headers={"Idempotency-Key": key},
            ),
        )
        op.key = key
        if op.status in (200, 201):
            op.transaction_id = str(answer.get("transaction_id"))
            with self._shared.lock:
                self._shared.transactions[label].append(op.transaction_id)

    def _profile_update(self, number: int, rng: random.Random, user: User, region: str) -> None:
        label = self._label(user)
        with self._shared.lock:
            seen = self._shared.versions[label]
            base = rng.choice(seen[-3:])  # a recent version someone read: shared, maybe stale
        name = f"{label} c{number} {time.monotonic_ns()}"
        op, answer = self._record(
            number,
            PROFILE_UPDATE,
            region,
            user,
            lambda: self.apis[region].put(
                "/profiles/me",
                token=user.id_token,
                json_body={"version": base, "display_name": name},
            ),
        )
        op.base_version, op.display_name = base, name
        if op.status == 200:
            op.version = int(answer["version"])
            with self._shared.lock:
                self._shared.versions[label].append(op.version)

    def _profile_read(self, number: int, user: User, region: str) -> None:
        label = self._label(user)
        op, answer = self._record(
            number,
            PROFILE_READ,
            region,
            user,
            lambda: self.apis[region].get("/profiles/me", token=user.id_token),
        )
        if op.status == 200:
            op.version = int(answer["version"])
            op.display_name = str(answer["display_name"])
            with self._shared.lock:
                self._shared.versions[label].append(op.version)

    def _transaction_read(self, number: int, rng: random.Random, user: User, region: str) -> None:
        with self._shared.lock:
            known = list(self._shared.transactions[self._label(user)])
        if not known:
            return
        transaction_id = rng.choice(known)
        op, _ = self._record(
            number,
            TXN_READ,
            region,
            user,
            lambda: self.apis[region].get(f"/transactions/{transaction_id}", token=user.id_token),
        )
        op.transaction_id = transaction_id

    # -- convergence ----------------------------------------------------------------------------
    def _read_final_state(self) -> None:
        for region, api in self.apis.items():
            state = RegionState()
            for user in self.users:
                label = self._label(user)
                state.transactions[label] = api.all_transactions(user.id_token)
                profile = api.get("/profiles/me", token=user.id_token)
                state.profiles[label] = profile.json() if profile.status_code == 200 else None
            self.history.final[region] = state

    def _label(self, user: User) -> str:
        return f"u{self.users.index(user)}" if user in self.users else user.username


class _HeaderApi(Api):
    """An Api whose every request carries fixed headers (the origin-verify header, contract C)."""

    def __init__(self, base_url: str, region: str, headers: dict[str, str]) -> None:
        super().__init__(base_url, region)
        self._headers = headers

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        merged = {**self._headers, **(kwargs.pop("headers", None) or {})}
        return super().request(method, path, headers=merged, **kwargs)


def run_history(target: Target, config: RunConfig) -> History:
    run = HistoryRun(target, config)
    run.set_up()
    try:
        return run.run()
    finally:
        run.tear_down()
