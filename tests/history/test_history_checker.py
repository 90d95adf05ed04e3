"""The checker finds each kind of anomaly in a synthetic history, and none in a correct one."""

from __future__ import annotations

from typing import Any

from hist_checker import check, counts
from hist_model import PROFILE_READ, PROFILE_UPDATE, TXN, TXN_READ, History, Op, RegionState

EAST, WEST = "us-east-1", "us-west-2"


def txn(op_id: int, region: str, key: str, txn_id: str, status: int = 201, t: float = 0) -> Op:
    return Op(op_id, 0, TXN, region, "u0", t, t + 1, status, key=key, transaction_id=txn_id)


def update(op_id: int, region: str, base: int, name: str, status: int = 200, t: float = 0) -> Op:
    return Op(
        op_id, 0, PROFILE_UPDATE, region, "u0", t, t + 1, status,
        base_version=base, version=base + 1 if status == 200 else None, display_name=name,
    )  # fmt: skip


def state(txns: list[tuple[str, str]], profile: tuple[int, str]) -> RegionState:
    items: list[dict[str, Any]] = [{"transaction_id": i, "reference": k} for i, k in txns]
    return RegionState(
        transactions={"u0": items},
        profiles={"u0": {"version": profile[0], "display_name": profile[1]}},
    )


def history(ops: list[Op], east: RegionState, west: RegionState) -> History:
    return History(
        ops=ops,
        write_regions=[(-100.0, EAST)],
        final={EAST: east, WEST: west},
        initial_profiles={"u0": {"version": 1, "display_name": "init"}},
    )


def test_a_correct_history_has_no_anomaly() -> None:
    ops = [
        txn(1, EAST, "k1", "t1"),
        txn(2, EAST, "k1", "t1", status=200, t=2),
        Op(3, 0, TXN, WEST, "u0", 3, 4, 503, "REGION_NOT_WRITABLE", key="k1"),
        update(4, EAST, 1, "a", t=5),
        update(5, EAST, 1, "b", status=409, t=7),
        Op(6, 0, PROFILE_READ, EAST, "u0", 8, 9, 200, version=2, display_name="a"),
        Op(7, 0, PROFILE_READ, WEST, "u0", 8, 9, 200, version=1, display_name="init"),
        Op(8, 0, TXN_READ, WEST, "u0", 8, 9, 404, transaction_id="t1"),
    ]
    converged = state([("t1", "k1")], (2, "a"))
    assert sum(counts(check(history(ops, converged, converged))).values()) == 0


def test_each_anomaly_kind_is_found() -> None:
    ops = [
        txn(1, EAST, "k1", "t1"),
        txn(2, WEST, "k1", "t2", t=0.5),  # same key, second transaction, outside the write region
        update(3, EAST, 1, "a"),
        update(4, WEST, 1, "b"),  # same base version: lost update
        Op(5, 0, PROFILE_READ, EAST, "u0", 5, 6, 200, version=1, display_name="init"),  # stale
        Op(6, 0, PROFILE_READ, WEST, "u0", 5, 6, 200, version=7, display_name="nobody"),
        Op(7, 0, TXN, EAST, "u0", 5, 6, 409, "CONFLICT", key="k1"),
        Op(8, 0, TXN_READ, EAST, "u0", 5, 6, 404, transaction_id="t1"),  # stale (write region)
    ]
    east = state([("t1", "k1"), ("t2", "k1")], (2, "b"))
    west = state([("t2", "k1")], (2, "a"))
    found = counts(check(history(ops, east, west)))
    assert found["duplicate_transaction"] == 2  # acknowledged twice + stored twice in the east
    assert found["lost_transaction"] == 1  # t1 missing in the west
    assert found["replica_divergence"] == 2  # transactions and profile differ
    assert found["lost_update"] >= 2  # two acks from version 1, and one replica lost the last
    assert found["stale_read"] == 2
    assert found["impossible_read"] == 1
    assert found["write_outside_write_region"] == 2  # t2 and update b in the west
    assert found["unexpected_response"] == 1


def test_writes_overlapping_a_write_region_change_are_not_judged() -> None:
    ops = [txn(1, WEST, "k1", "t1", t=0)]
    converged = state([("t1", "k1")], (1, "init"))
    run = history(ops, converged, converged)
    run.write_regions = [(-100.0, EAST), (0.5, None), (0.7, WEST)]
    assert counts(check(run))["write_outside_write_region"] == 0
    run.write_regions = [(-100.0, EAST), (-1.0, "?"), (5.0, WEST)]  # being reconfigured
    assert counts(check(run))["write_outside_write_region"] == 0


def test_a_gateway_timeout_is_indeterminate_and_a_500_is_not() -> None:
    """502/504 (the gateway gave up on the function) leave the outcome unknown, like a client
    timeout (Jepsen's "info" operation): the write may or may not have happened, and the
    invariants over the converged replicas judge it. A 500 is a defect, always an anomaly."""
    converged = state([("t1", "k1")], (1, "init"))
    for status in (502, 504):
        ops = [
            Op(1, 0, TXN, EAST, "u0", 0, 10, status, "INTERNAL_ERROR", key="k1"),
            txn(2, EAST, "k1", "t1", status=201, t=11),
        ]
        assert sum(counts(check(history(ops, converged, converged))).values()) == 0, status
    ops = [Op(1, 0, TXN, EAST, "u0", 0, 1, 500, "INTERNAL_ERROR", key="k1")]
    found = check(history(ops, state([], (1, "init")), state([], (1, "init"))))
    assert counts(found)["unexpected_response"] == 1
