#!/usr/bin/env python3
"""Smoke test of a running Meridian stack: one user's happy path, step by step.

Usage:
    python scripts/smoke.py                        # the devstack (.devstack/stack.json)
    python scripts/smoke.py --stack path.json      # another stack.json
    python scripts/smoke.py --outputs tf.json      # a real deployment (terraform output -json)

Prints ✔ or ✘ with the time of every step and exits non-zero on the first failure (the user it
created is deleted either way). Talks only HTTP, Cognito and nothing of the application's code.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# The client helpers live with the end-to-end suites, which the smoke run is a thin slice of.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "e2e"))

from e2e_support.api import Api, expect_error, expect_status, new_idempotency_key, poll
from e2e_support.events import EventCollector, events_outputs
from e2e_support.target import Target, TargetConfigError, load_target
from e2e_support.users import User, UserFactory, jwt_claims

OK, FAILED = "\u2714", "\u2718"
EVENT_WAIT_SECONDS = 10.0  # the transaction event's bound (issue 14: p99 within 5 s)


@dataclass
class Report:
    out: Any = sys.stdout
    steps: list[tuple[str, bool, float, str]] = field(default_factory=list)

    def step(self, name: str, action: Callable[[], str | None]) -> None:
        """Run one step; print ✔/✘ with its duration; re-raise a failure after printing it."""
        started = time.perf_counter()
        try:
            detail = action() or ""
        except Exception as error:
            elapsed = time.perf_counter() - started
            self.steps.append((name, False, elapsed, str(error)))
            print(f"  {FAILED} {name:<44} {elapsed * 1000:8.0f} ms  {error}", file=self.out)
            raise
        elapsed = time.perf_counter() - started
        self.steps.append((name, True, elapsed, detail))
        print(f"  {OK} {name:<44} {elapsed * 1000:8.0f} ms  {detail}", file=self.out)

    def summary(self) -> str:
        passed = sum(1 for _, ok, _, _ in self.steps if ok)
        failed = len(self.steps) - passed
        total = sum(elapsed for _, _, elapsed, _ in self.steps)
        return f"smoke: {passed} passed, {failed} failed ({total:.1f} s)"


class Smoke:
    """The steps, in order; each returns a short detail for the report or raises."""

    def __init__(self, target: Target) -> None:
        self.target = target
        # As a client: through the edge (CloudFront), unless E2E_VIA=regional. The secondary
        # region is read directly, with the origin-verify header CloudFront would add.
        via_edge = os.environ.get("E2E_VIA", "edge").lower() == "edge" and target.edge_api_url
        if via_edge and target.edge_api_url:
            self.api = Api(target.edge_api_url, target.active_region, via="edge")
        else:
            self.api = Api(
                target.primary_api_url,
                target.primary_region,
                default_headers=target.origin_verify_headers,
            )
        self.secondary = (
            Api(
                target.secondary_api_url,
                target.secondary_region,
                default_headers=target.origin_verify_headers,
            )
            if target.secondary_api_url and target.secondary_region
            else None
        )
        self.users = UserFactory(target, prefix="smoke")
        self.username = ""
        self.password = ""
        self.user: User | None = None
        self.version = 0
        self.transaction: dict[str, Any] = {}

    @property
    def token(self) -> str:
        if self.user is None:
            raise RuntimeError("not signed in")
        return self.user.id_token

    def steps(self) -> list[tuple[str, Callable[[], str | None]]]:
        return [
            ("health in every region", self.health),
            ("sign up", self.sign_up),
            ("confirm (admin)", self.confirm),
            ("sign in (USER_PASSWORD_AUTH)", self.sign_in),
            ("profile create", self.create_profile),
            ("profile read", self.read_profile),
            ("profile update", self.update_profile),
            ("session create + list", self.session),
            ("transaction posted twice, one key", self.transaction_twice),
            ("transaction list", self.listing),
            ("transaction event on the subscriber queue", self.transaction_event),
            ("read through the secondary region", self.read_secondary),
            ("profile delete, then 404", self.delete_profile),
        ]

    def health(self) -> str:
        for region, url in self.target.api_urls.items():
            response = Api(url, region).get("/health")
            expect_status(response, 200)
            if response.json() != {"status": "ok", "region": region}:
                raise AssertionError(f"unexpected health body {response.text}")
        regions = ", ".join(sorted(self.target.api_urls))
        if self.api.via != "edge":
            return regions
        response = self.api.get("/health")
        expect_status(response, 200)
        if response.json() != {"status": "ok", "region": self.target.active_region}:
            raise AssertionError(f"unexpected health body through the edge {response.text}")
        return f"{regions}, edge {self.target.edge_url}"

    def sign_up(self) -> str:
        self.username, _, self.password = self.users.sign_up()
        return self.username

    def confirm(self) -> None:
        self.users.confirm(self.username)

    def sign_in(self) -> str:
        tokens = self.users.sign_in(self.username, self.password)
        self.user = User(
            username=self.username,
            email=self.username,
            password=self.password,
            sub=str(jwt_claims(tokens["IdToken"])["sub"]),
            id_token=tokens["IdToken"],
            access_token=tokens["AccessToken"],
            refresh_token=tokens.get("RefreshToken"),
        )
        return f"sub {self.user.sub}"

    def create_profile(self) -> str:
        response = self.api.post("/profiles", token=self.token, json_body={"display_name": "Smoke"})
        expect_status(response, 201)
        self.version = int(response.json()["version"])
        return f"version {self.version}"

    def read_profile(self) -> None:
        response = self.api.get("/profiles/me", token=self.token)
        expect_status(response, 200)
        if response.json()["display_name"] != "Smoke":
            raise AssertionError(f"read back {response.text}")

    def update_profile(self) -> str:
        response = self.api.put(
            "/profiles/me",
            token=self.token,
            json_body={"display_name": "Smoke 2", "version": self.version},
        )
        expect_status(response, 200)
        self.version = int(response.json()["version"])
        return f"version {self.version}"

    def session(self) -> str:
        created = self.api.post(
            "/profiles/me/sessions",
            token=self.token,
            json_body={"device_name": "smoke", "platform": "web"},
        )
        expect_status(created, 201)
        listed = self.api.get("/profiles/me/sessions", token=self.token)
        expect_status(listed, 200)
        ids = [item["session_id"] for item in listed.json()["items"]]
        if ids != [created.json()["session_id"]]:
            raise AssertionError(f"sessions listed {ids}")
        return str(created.json()["session_id"])

    def transaction_twice(self) -> str:
        key = new_idempotency_key()
        body = {"amount": "12.34", "currency": "EUR", "type": "debit", "reference": "smoke"}
        first = self.api.post_transaction(self.token, body, key)
        expect_status(first, 201)
        second = self.api.post_transaction(self.token, body, key)
        expect_status(second, 201)
        if second.json() != first.json():
            raise AssertionError("the replay did not return the first result")
        self.transaction = first.json()
        return f"{self.transaction['transaction_id']} (replayed)"

    def listing(self) -> str:
        ids = [item["transaction_id"] for item in self.api.all_transactions(self.token)]
        if ids != [self.transaction["transaction_id"]]:
            raise AssertionError(f"expected exactly the one transaction, listed {ids}")
        return "1 transaction"

    def transaction_event(self) -> str:
        """The transaction's ``transaction.created`` event reaches the reference subscriber queue
        of the region that took the write (issue 14), within EVENT_WAIT_SECONDS."""
        region = str(self.target.outputs.get("write_region") or self.target.active_region)
        queue_url = events_outputs(self.target)[region]["subscriber_queue_url"]
        collector = EventCollector(self.target, region, queue_url)
        transaction_id = self.transaction["transaction_id"]
        found = collector.wait_for_transactions({transaction_id}, EVENT_WAIT_SECONDS)
        events = found[transaction_id]
        if not events:
            raise AssertionError(
                f"no event for {transaction_id} on {queue_url} within {EVENT_WAIT_SECONDS:g} s"
            )
        return f"event_id {events[0].event.get('event_id')} ({region})"

    def read_secondary(self) -> str:
        secondary = self.secondary
        if secondary is None:
            raise AssertionError("the target has no secondary region")
        path = f"/transactions/{self.transaction['transaction_id']}"
        response = poll(
            lambda: secondary.get(path, token=self.token),
            lambda r: r.status_code == 200,
            within_seconds=5.0,
        )
        expect_status(response, 200)
        expect_status(secondary.get("/profiles/me", token=self.token), 200)
        return f"transaction and profile via {secondary.region}"

    def delete_profile(self) -> None:
        expect_status(self.api.delete("/profiles/me", token=self.token), 204)
        expect_error(self.api.get("/profiles/me", token=self.token), 404)

    def cleanup(self) -> None:
        if self.user is not None:
            self.api.delete("/profiles/me", token=self.token)
        if self.username:
            self.users.delete(self.username)


def run_smoke(target: Target, report: Report) -> None:
    url = target.edge_api_url if target.edge_api_url else target.primary_api_url
    print(f"Meridian smoke test against {target.kind}: {url}", file=report.out)
    smoke = Smoke(target)
    try:
        for name, action in smoke.steps():
            report.step(name, action)
    finally:
        smoke.cleanup()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stack", help="a devstack stack.json (default .devstack/stack.json)")
    parser.add_argument("--outputs", help="a `terraform output -json` file of a real deployment")
    args = parser.parse_args(argv)
    environ = dict(os.environ)
    if args.stack:
        environ["E2E_STACK_JSON"] = args.stack
    if args.outputs:
        environ["E2E_TERRAFORM_OUTPUTS"] = args.outputs
    report = Report()
    try:
        target = load_target(environ)
    except (TargetConfigError, OSError, ValueError) as error:
        print(f"{FAILED} cannot find the target: {error}", file=sys.stderr)
        return 2
    try:
        run_smoke(target, report)
    except Exception:  # already reported by its step; the summary follows
        print(report.summary())
        return 1
    print(report.summary())
    return 0


if __name__ == "__main__":
    sys.exit(main())
