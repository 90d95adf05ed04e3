"""The per-hop table joins each probe with the devstack's record of the same request id."""

from __future__ import annotations

from load.timings import Probe, match, standard_probes


def test_probes_are_matched_by_request_id_and_missing_ones_stay_empty() -> None:
    first = Probe("GET /health (no auth)", "GET", "/health", None)
    second = Probe("GET /profiles/me", "GET", "/profiles/me", "t")
    recorded = [
        {"request_id": "other", "total_ms": 1, "hops": {"edge_ms": 99}},
        {"request_id": "r1", "total_ms": 12.5, "hops": {"edge_ms": 2, "function_ms": 8}},
    ]
    rows = match([(first, 200, "r1"), (second, 200, "r-unknown")], recorded)
    assert rows[0].total_ms == 12.5
    assert rows[0].hops == {"edge_ms": 2, "function_ms": 8}
    assert rows[1].total_ms is None
    assert rows[1].hops == {}


def test_standard_probes_cover_every_hop_kind() -> None:
    probes = standard_probes("user", "fresh", "partner", "t1")
    labels = [probe.label for probe in probes]
    assert any("uncached" in label for label in labels)
    assert any("(authorizer cached)" in label for label in labels)
    # The cached probe reuses the uncached probe's token: the authorizer cache keys on it.
    uncached = next(p for p in probes if p.label == "GET /transactions (authorizer uncached)")
    cached = next(p for p in probes if p.label == "GET /transactions (authorizer cached)")
    assert uncached.token == cached.token == "fresh"
    post = next(p for p in probes if p.method == "POST")
    assert post.headers is not None
    assert "Idempotency-Key" in post.headers
    assert "/transactions/t1" in [p.path for p in probes]
