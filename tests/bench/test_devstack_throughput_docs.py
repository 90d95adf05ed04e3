"""The throughput report's rendering (bench/devstack_throughput.py): history kept, goal stated."""

from __future__ import annotations

from pathlib import Path

from bench.devstack_throughput import BEGIN, END, RouteResult, Run, write_docs


def _run(label: str, rates: dict[str, tuple[float, float]]) -> Run:
    run = Run(label=label, started_at="2026-12-02 07:00 UTC", load_average=1.5, cpus=2)
    for route, (rate, p50) in rates.items():
        run.results.append(
            RouteResult(route, 8, 20.0, int(rate * 20), {}, rate, p50, p50, p50, p50)
        )
    return run


def test_the_block_keeps_history_compares_the_last_two_runs_and_states_the_goal(
    tmp_path: Path,
) -> None:
    docs = tmp_path / "load.md"
    docs.write_text(f"intro\n\n{BEGIN}\nold\n{END}\n\noutro\n", encoding="utf-8")
    history = _run("old", {"GET /v1/health": (40.0, 150.0)})
    before = _run("before", {"GET /v1/health": (50.0, 100.0), "POST /v1/transactions": (4, 900)})
    after = _run("after", {"GET /v1/health": (240.0, 20.0), "POST /v1/transactions": (19, 300)})
    write_docs(docs, [history, before, after], "preface")
    text = docs.read_text(encoding="utf-8")
    assert text.startswith("intro")
    assert text.rstrip().endswith("outro")
    assert "| old | `GET /v1/health` |" in text
    assert "| `GET /v1/health` | 50 → 240 | 4.8 | 100 → 20 |" in text
    assert "| `GET /v1/health` | 58 → 232 | 240 | 4.1 | 20 (<= 25) | yes |" in text
    assert "| `POST /v1/transactions` | 5 → 20 | 19 | 3.8 | 300 (-) | no |" in text
