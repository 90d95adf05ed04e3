"""``make history``: a longer history run against the running devstack, then the check.

    python tests/history/run_history.py --clients 12 --duration 120 [--users 4] [--seed 7]
        [--delay 1.0] [--no-failover] [--no-isolation] [--out build/history.json]

Prints the operations run by kind and outcome, the anomalies by kind (with up to 5 examples
each) and exits 1 when there is any anomaly.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
for path in (HERE, HERE.parents[0] / "e2e"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

from e2e_support.target import load_target  # noqa: E402
from hist_checker import check, counts  # noqa: E402
from hist_harness import RunConfig, run_history  # noqa: E402
from hist_model import History  # noqa: E402


def summary(history: History) -> dict[str, object]:
    outcomes = Counter(f"{op.kind} {op.status}" for op in history.ops)
    return {"operations": len(history.ops), "by_kind_and_status": dict(sorted(outcomes.items()))}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=12)
    parser.add_argument("--users", type=int, default=4)
    parser.add_argument("--duration", type=float, default=120.0)
    parser.add_argument("--keys-per-user", type=int, default=8)
    parser.add_argument("--delay", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-failover", action="store_true")
    parser.add_argument("--no-isolation", action="store_true")
    parser.add_argument("--out", type=Path, default=Path("build/history.json"))
    args = parser.parse_args(argv)
    config = RunConfig(
        clients=args.clients,
        users=args.users,
        duration_seconds=args.duration,
        keys_per_user=args.keys_per_user,
        delay_seconds=args.delay,
        seed=args.seed,
        failover=not args.no_failover,
        isolation=not args.no_isolation,
    )
    history = run_history(load_target(), config)
    anomalies = check(history)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    history.dump(args.out)
    print(json.dumps(summary(history), indent=1))
    print("events:", [what for _, what in history.events])
    print("anomalies by kind:", json.dumps(counts(anomalies)))
    for kind, found in anomalies.items():
        for line in found[:5]:
            print(f"  {kind}: {line}")
    print(f"history written to {args.out}")
    return 1 if any(anomalies.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
