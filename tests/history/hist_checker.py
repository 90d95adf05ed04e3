"""The history checker: which anomalies a recorded run contains, by kind.

The model (contract A, docs/architecture.md "write to one Region"): at any moment at most one
region is the write region; only it accepts writes (elsewhere a write is refused, 503
REGION_NOT_WRITABLE, before anything is written); reads in the write region reflect every write
acknowledged before they started; reads in the other region return some earlier state.

Anomaly kinds (each a list of human-readable findings):

* ``duplicate_transaction``: one Idempotency-Key acknowledged with two transaction ids, or two
  transactions carrying the same key (as reference) in a replica after convergence.
* ``lost_transaction``: an acknowledged transaction missing from a replica after convergence.
* ``replica_divergence``: the two replicas differ after convergence (transactions or profile).
* ``lost_update``: two profile updates acknowledged from the same version, or the converged
  profile is not the last acknowledged update.
* ``stale_read``: a read in the write region that misses a write acknowledged before it started.
* ``impossible_read``: a read that returns a state no write produced.
* ``write_outside_write_region``: a write acknowledged by a region that was not the write region
  for the whole request.
* ``unexpected_response``: an answer the model does not allow (e.g. 409 to a replay of the same
  key and body, any 500).

Indeterminate operations (Jepsen's "info"): no answer (client timeout) or the gateway's 502/504
(the function timed out or failed after it may have written). Their outcome is unknown, so they
are not anomalies by themselves: the invariants over the converged replicas (exactly once per
acknowledged key, no key with two transactions) judge whatever they left behind.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from hist_model import PROFILE_READ, PROFILE_UPDATE, TXN, TXN_READ, History, Op

KINDS = (
    "duplicate_transaction",
    "lost_transaction",
    "replica_divergence",
    "lost_update",
    "stale_read",
    "impossible_read",
    "write_outside_write_region",
    "unexpected_response",
)
# Refusals the model allows: the fence (503 REGION_NOT_WRITABLE), an unavailable dependency or
# throttling. They carry no information about the data.
REFUSALS = {503, 429}
# The gateway gave up on the integration: the write may or may not have happened.
INDETERMINATE = {502, 504}
ALLOWED = {
    TXN: {200, 201} | REFUSALS,
    PROFILE_UPDATE: {200, 409} | REFUSALS,
    PROFILE_READ: {200} | REFUSALS,
    TXN_READ: {200, 404} | REFUSALS,
}


def acknowledged(op: Op) -> bool:
    return op.status is not None and 200 <= op.status < 300


def check(history: History) -> dict[str, list[str]]:
    anomalies: dict[str, list[str]] = {kind: [] for kind in KINDS}
    _responses(history, anomalies)
    _transactions(history, anomalies)
    _profiles(history, anomalies)
    _write_regions(history, anomalies)
    return anomalies


def counts(anomalies: dict[str, list[str]]) -> dict[str, int]:
    return {kind: len(found) for kind, found in anomalies.items()}


def _responses(history: History, anomalies: dict[str, list[str]]) -> None:
    for op in history.ops:
        if op.status is None or op.status in INDETERMINATE or op.status in ALLOWED[op.kind]:
            continue
        anomalies["unexpected_response"].append(
            f"op {op.op_id} {op.kind} in {op.region}: {op.status} {op.error_code or ''}".strip()
        )


def _transactions(history: History, anomalies: dict[str, list[str]]) -> None:
    ids_by_key: dict[str, set[str]] = defaultdict(set)
    acked_ids: dict[str, set[str]] = defaultdict(set)  # user -> ids
    for op in history.ops:
        if op.kind == TXN and acknowledged(op) and op.key and op.transaction_id:
            ids_by_key[op.key].add(op.transaction_id)
            acked_ids[op.user].add(op.transaction_id)
    for key, ids in sorted(ids_by_key.items()):
        if len(ids) > 1:
            anomalies["duplicate_transaction"].append(
                f"key {key} acknowledged as {len(ids)} transactions: {sorted(ids)}"
            )
    regions = sorted(history.final)
    for region in regions:
        state = history.final[region]
        for user, items in sorted(state.transactions.items()):
            by_reference: dict[str, list[str]] = defaultdict(list)
            for item in items:
                by_reference[str(item.get("reference"))].append(str(item["transaction_id"]))
            for reference, stored in sorted(by_reference.items()):
                if len(stored) > 1:
                    anomalies["duplicate_transaction"].append(
                        f"{region}: key {reference} stored as {len(stored)} transactions"
                    )
            present = {str(item["transaction_id"]) for item in items}
            for missing in sorted(acked_ids.get(user, set()) - present):
                anomalies["lost_transaction"].append(f"{region}: {user} lacks {missing}")
    if len(regions) == 2:
        first, second = (history.final[r] for r in regions)
        for user in sorted(set(first.transactions) | set(second.transactions)):
            a = {str(i["transaction_id"]) for i in first.transactions.get(user, [])}
            b = {str(i["transaction_id"]) for i in second.transactions.get(user, [])}
            if a != b:
                anomalies["replica_divergence"].append(
                    f"{user}: transactions only in {regions[0]}: {len(a - b)}, "
                    f"only in {regions[1]}: {len(b - a)}"
                )
        for user in sorted(set(first.profiles) | set(second.profiles)):
            pa, pb = first.profiles.get(user), second.profiles.get(user)
            if _profile_key(pa) != _profile_key(pb):
                anomalies["replica_divergence"].append(
                    f"{user}: profile {_profile_key(pa)} in {regions[0]}, "
                    f"{_profile_key(pb)} in {regions[1]}"
                )


def _profile_key(profile: dict[str, Any] | None) -> tuple[Any, Any] | None:
    return None if profile is None else (profile.get("version"), profile.get("display_name"))


def _profiles(history: History, anomalies: dict[str, list[str]]) -> None:
    updates = [op for op in history.ops if op.kind == PROFILE_UPDATE]
    acked = [op for op in updates if acknowledged(op)]
    # Every state some write produced (acknowledged or not: an unanswered write may have landed).
    produced: set[tuple[str, int, str]] = {
        (user, int(p["version"]), str(p["display_name"]))
        for user, p in history.initial_profiles.items()
    }
    for op in updates:
        if op.base_version is not None and op.display_name is not None:
            produced.add((op.user, op.base_version + 1, op.display_name))
    by_base: dict[tuple[str, int], list[Op]] = defaultdict(list)
    for op in acked:
        if op.base_version is not None:
            by_base[(op.user, op.base_version)].append(op)
    for (user, base), ops in sorted(by_base.items()):
        if len(ops) > 1:
            where = ", ".join(f"op {o.op_id} in {o.region}" for o in ops)
            anomalies["lost_update"].append(
                f"{user}: {len(ops)} updates acknowledged from version {base} ({where})"
            )
    last_acked: dict[str, Op] = {}
    for op in acked:
        if op.version is None:
            continue
        best = last_acked.get(op.user)
        if best is None or (op.version, op.end) > (best.version or 0, best.end):
            last_acked[op.user] = op
    for region, state in sorted(history.final.items()):
        for user, op in sorted(last_acked.items()):
            profile = state.profiles.get(user)
            if profile is None:
                anomalies["lost_update"].append(f"{region}: {user} has no profile")
                continue
            if int(profile["version"]) < (op.version or 0) or (
                int(profile["version"]) == op.version
                and profile.get("display_name") != op.display_name
            ):
                anomalies["lost_update"].append(
                    f"{region}: {user} converged to {_profile_key(profile)}, last acknowledged "
                    f"update was ({op.version}, {op.display_name!r}) (op {op.op_id})"
                )
    for op in history.ops:
        if op.kind != PROFILE_READ or op.status != 200 or op.version is None:
            continue
        if (op.user, op.version, op.display_name or "") not in produced:
            anomalies["impossible_read"].append(
                f"op {op.op_id} in {op.region}: {op.user} ({op.version}, {op.display_name!r})"
            )
        if history.write_region_during(op.start, op.end) != op.region:
            continue
        before = [u.version for u in acked if u.user == op.user and u.end < op.start and u.version]
        if before and op.version < max(before):
            anomalies["stale_read"].append(
                f"op {op.op_id} in {op.region} (write region): {op.user} version {op.version}, "
                f"version {max(before)} was acknowledged before the read"
            )
    txn_acked_at: dict[str, float] = {}
    for op in history.ops:
        if op.kind == TXN and acknowledged(op) and op.transaction_id:
            txn_acked_at[op.transaction_id] = min(
                op.end, txn_acked_at.get(op.transaction_id, op.end)
            )
    for op in history.ops:
        if op.kind != TXN_READ or op.status != 404 or op.transaction_id is None:
            continue
        acked_at = txn_acked_at.get(op.transaction_id)
        if acked_at is None or acked_at >= op.start:
            continue
        if history.write_region_during(op.start, op.end) == op.region:
            anomalies["stale_read"].append(
                f"op {op.op_id} in {op.region} (write region): transaction "
                f"{op.transaction_id} acknowledged before the read answered 404"
            )


def _write_regions(history: History, anomalies: dict[str, list[str]]) -> None:
    first_ack: dict[str, Op] = {}
    for op in sorted(history.ops, key=lambda o: o.end):
        if op.kind == TXN and op.status == 201 and op.transaction_id:
            first_ack.setdefault(op.transaction_id, op)
    writes = list(first_ack.values()) + [
        op for op in history.ops if op.kind == PROFILE_UPDATE and acknowledged(op)
    ]
    for op in sorted(writes, key=lambda o: o.op_id):
        region = history.write_region_during(op.start, op.end)
        if region is False:
            continue  # the write region changed during the request: either answer is allowed
        if region != op.region:
            anomalies["write_outside_write_region"].append(
                f"op {op.op_id} {op.kind} acknowledged by {op.region}; write region: {region}"
            )
