"""The history check, short and bounded (the stack lane of ``make test``; ``make history`` runs
a longer one): concurrent clients over both regions' APIs, with a 1 s replication delay, an
isolation of the secondary region and a planned failover (pause writes -> drain -> flip, through
Lambda UpdateFunctionConfiguration on the emulator), then the converged state of both replicas.

Evidence on the code before the write fence (contract A; both regions accept writes), run
2026-12-02 00:46 UTC against the devstack with asynchronous replication (1 s), 8 clients, 3 users,
24 s, seed 12 (run_history.py): 101 operations; anomalies by kind:
duplicate_transaction 6, lost_update 1, stale_read 1, write_outside_write_region 16,
lost_transaction 0, replica_divergence 0, impossible_read 0, unexpected_response 0.
With the fence (wip2/mrapp merged): 178 operations, 0 anomalies of every kind (this test); a
60 s run with 12 clients: 836 operations, 0 anomalies (docs/testing-guide.md "History check").
"""

from __future__ import annotations

import os

import pytest
from e2e_support.target import TargetConfigError, load_target
from hist_checker import INDETERMINATE, check, counts
from hist_harness import RunConfig, run_history


@pytest.mark.history
def test_no_anomalies_through_delay_isolation_and_failover() -> None:
    try:
        target = load_target()
    except TargetConfigError as missing:
        pytest.fail(f"the history check needs the running stack (make up): {missing}")
    if not target.is_devstack:
        pytest.skip("the nemesis drives the devstack's replication controls")
    config = RunConfig(
        clients=int(os.environ.get("HISTORY_TEST_CLIENTS", "8")),
        duration_seconds=float(os.environ.get("HISTORY_TEST_SECONDS", "16")),
    )
    history = run_history(target, config)
    anomalies = check(history)
    operations = len(history.ops)
    acknowledged = sum(1 for op in history.ops if op.status in (200, 201))
    indeterminate = sum(1 for op in history.ops if op.status is None or op.status in INDETERMINATE)
    print(
        f"operations: {operations} ({acknowledged} acknowledged, {indeterminate} indeterminate);"
        f" anomalies: {counts(anomalies)}"
    )
    assert operations >= 30, f"only {operations} operations ran: too few for the check to mean much"
    assert acknowledged, "nothing was acknowledged"
    found = {kind: lines[:3] for kind, lines in anomalies.items() if lines}
    assert not found, f"anomalies {counts(anomalies)}: {found}"
