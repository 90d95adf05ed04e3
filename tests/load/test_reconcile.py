"""The reconciliation's verdicts on fake ledgers and fake region views (no stack needed)."""

from __future__ import annotations

from typing import Any

import pytest

from load.ledger import Ledger, transaction_reference
from load.reconcile import RegionView, check, observe

RUN = "r1"
BODY = {"amount": "12.50", "currency": "EUR", "type": "debit"}


def stored(key: str, transaction_id: str, **overrides: Any) -> dict[str, Any]:
    return {
        "transaction_id": transaction_id,
        **BODY,
        "reference": transaction_reference(RUN, key),
        "created_at": "2026-12-02T03:00:00Z",
        **overrides,
    }


def ledger_with_one_acknowledged() -> Ledger:
    ledger = Ledger(run_id=RUN)
    ledger.record_transaction("user:a", "k1", BODY, 201, "t1")
    ledger.record_transaction("user:a", "k1", BODY, 201, "t1")  # idempotent replay
    ledger.record_profile("user:a", 1, {"display_name": "A"})
    ledger.record_profile("user:a", 2, {"display_name": "B"})
    return ledger


def both_regions(
    transactions: list[dict[str, Any]], profile: dict[str, Any] | None
) -> list[RegionView]:
    return [
        RegionView(
            region=region,
            transactions={"user:a": list(transactions)},
            profiles={"user:a": profile},
        )
        for region in ("us-east-1", "us-west-2")
    ]


def test_consistent_state_passes() -> None:
    result = check(
        ledger_with_one_acknowledged(),
        both_regions([stored("k1", "t1")], {"version": 2, "display_name": "B"}),
    )
    assert result.ok, result.failures
    assert result.acknowledged_transactions == 1
    assert result.profiles_checked == 1


def test_replays_naming_two_ids_fail() -> None:
    ledger = ledger_with_one_acknowledged()
    ledger.record_transaction("user:a", "k1", BODY, 201, "t2")
    result = check(ledger, both_regions([stored("k1", "t1")], {"version": 2, "display_name": "B"}))
    assert "key_maps_to_two_transactions" in result.counts()


def test_two_stored_transactions_for_one_key_fail_even_unacknowledged() -> None:
    ledger = Ledger(run_id=RUN)
    ledger.record_transaction("user:a", "k9", BODY, 0, None)  # a client timeout
    result = check(ledger, both_regions([stored("k9", "t1"), stored("k9", "t2")], None))
    assert result.counts() == {"key_maps_to_two_transactions": 2}


def test_unacknowledged_key_may_or_may_not_be_stored() -> None:
    ledger = Ledger(run_id=RUN)
    ledger.record_transaction("user:a", "k9", BODY, 504, None)
    assert check(ledger, both_regions([stored("k9", "t1")], None)).ok
    assert check(ledger, both_regions([], None)).ok


def test_a_request_cut_off_mid_flight_is_not_unrequested() -> None:
    ledger = Ledger(run_id=RUN)
    ledger.begin_transaction("user:a", "k5", BODY)  # the Locust user was stopped: no answer
    assert check(ledger, both_regions([stored("k5", "t5")], None)).ok


def test_acknowledged_transaction_missing_in_one_region_fails() -> None:
    views = both_regions([stored("k1", "t1")], {"version": 2, "display_name": "B"})
    views[1].transactions["user:a"] = []
    result = check(ledger_with_one_acknowledged(), views)
    assert result.counts() == {"acknowledged_transaction_missing": 1}
    assert "us-west-2" in result.failures[0][1]


def test_listed_twice_fails() -> None:
    result = check(
        ledger_with_one_acknowledged(),
        both_regions([stored("k1", "t1"), stored("k1", "t1")], {"version": 2, "display_name": "B"}),
    )
    assert "listed_twice" in result.counts()


def test_stored_body_differs_fails() -> None:
    result = check(
        ledger_with_one_acknowledged(),
        both_regions([stored("k1", "t1", amount="99.00")], {"version": 2, "display_name": "B"}),
    )
    assert result.counts() == {"transaction_differs": 2}


def test_transaction_of_the_run_nobody_requested_fails() -> None:
    result = check(
        ledger_with_one_acknowledged(),
        both_regions(
            [stored("k1", "t1"), stored("ghost", "t7")], {"version": 2, "display_name": "B"}
        ),
    )
    assert result.counts() == {"unrequested_transaction": 2}


def test_other_runs_transactions_are_ignored() -> None:
    other = stored("k1", "t9", reference=transaction_reference("r0", "k1"))
    result = check(
        ledger_with_one_acknowledged(),
        both_regions([other, stored("k1", "t1")], {"version": 2, "display_name": "B"}),
    )
    assert result.ok, result.failures


@pytest.mark.parametrize(
    "profile",
    [
        {"version": 1, "display_name": "A"},  # the last acknowledged update was lost
        {"version": 2, "display_name": "A"},  # right version, wrong fields
        None,  # gone
    ],
)
def test_lost_profile_update_fails(profile: dict[str, Any] | None) -> None:
    result = check(ledger_with_one_acknowledged(), both_regions([stored("k1", "t1")], profile))
    assert set(result.counts()) <= {"profile_update_lost", "profile_lost"}
    assert sum(result.counts().values()) == 2


def test_indeterminate_later_profile_write_is_accepted() -> None:
    ledger = ledger_with_one_acknowledged()
    ledger.record_indeterminate_profile("user:a", 3, {"display_name": "C"})
    result = check(ledger, both_regions([stored("k1", "t1")], {"version": 3, "display_name": "C"}))
    assert result.ok, result.failures


def test_unreadable_owner_fails() -> None:
    views = both_regions([stored("k1", "t1")], {"version": 2, "display_name": "B"})
    views[0].unreadable["user:a"] = "GET /transactions -> 503"
    assert check(ledger_with_one_acknowledged(), views).counts() == {"unreadable": 1}


def test_ledger_round_trips_through_json_and_merges() -> None:
    one = ledger_with_one_acknowledged()
    one.record_outcome("POST /transactions", 201)
    two = Ledger(run_id=RUN)
    two.record_transaction("partner:acme", "k2", BODY, 201, "t5")
    two.record_outcome("POST /transactions", 201)
    merged = Ledger.from_json(one.to_json())
    merged.merge_json(two.to_json())
    assert merged.outcomes[("POST /transactions", 201)] == 2
    assert merged.owners() == {"user:a", "partner:acme"}
    assert merged.profiles["user:a"].version == 2


def test_observe_pages_until_an_older_transaction() -> None:
    ledger = ledger_with_one_acknowledged()
    pages = {
        "/transactions?limit=100": {
            "items": [stored("k1", "t1", created_at="2026-12-02T03:00:05Z")],
            "next_cursor": "c2",
        },
        "/transactions?limit=100&cursor=c2": {
            "items": [stored("x", "t0", created_at="2026-12-01T00:00:00Z", reference="old")],
            "next_cursor": "c3",
        },
    }
    calls: list[str] = []

    def http_get(url: str, headers: dict[str, str]) -> tuple[int, Any]:
        path = url.removeprefix("https://api/v1")
        calls.append(path)
        assert headers["x-origin-verify"] == "s"
        assert headers["Authorization"] == "Bearer user:a"
        if path == "/profiles/me":
            return 200, {"version": 2, "display_name": "B"}
        return 200, pages[path]

    view = observe(
        "us-east-1",
        "https://api/v1",
        ledger,
        auth_for=lambda owner: {"Authorization": f"Bearer {owner}"},
        http_get=http_get,
        origin_headers={"x-origin-verify": "s"},
        since="2026-12-02T02:59:00Z",
    )
    assert "/transactions?limit=100&cursor=c3" not in calls
    assert [i["transaction_id"] for i in view.transactions["user:a"]] == ["t1"]
    assert view.profiles["user:a"] == {"version": 2, "display_name": "B"}
    assert not view.unreadable
