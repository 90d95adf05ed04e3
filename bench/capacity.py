"""The measured paragraph of ``docs/capacity.md`` (owned by the docs; the bench writes only
between its two markers, placing them at the end of the Lambda concurrency section the first
time, or at the end of the file when that section is missing)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

START = "<!-- bench:measured:start (written by `make bench`; edit bench/capacity.py instead) -->"
END = "<!-- bench:measured:end -->"
# The section after "## Lambda concurrency": the measured paragraph goes right before it.
NEXT_SECTION = "\n## DynamoDB\n"
# DynamoDB's documented single-digit-millisecond latency, taken at its upper end per call: the
# bench cannot measure the network, so this is the one assumption in the paragraph.
DYNAMODB_CALL_MS = 10.0
PEAK_RPS = 1_157


def paragraph(results: dict[str, Any]) -> str:
    routes = [
        (function, route)
        for function, data in results["warm"].items()
        for route in data["routes"]
        if route["kind"] != "auth"
    ]
    if not routes:
        return ""
    slowest_function, slowest = max(routes, key=lambda item: item[1]["with_client"]["p99_us"])
    code_p99_ms = slowest["with_client"]["p99_us"] / 1000
    most_calls = max(len(route["calls"]) for _, route in routes)
    duration_ms = code_p99_ms + most_calls * DYNAMODB_CALL_MS
    concurrency = math.ceil(PEAK_RPS * duration_ms / 1000)
    cold = results.get("cold_start", {})
    cold_ms = max(
        (
            row["total_ms"]
            for name, row in cold.items()
            if name not in {"baseline", "runs", "reference"}
        ),
        default=0.0,
    )
    return "\n".join(
        [
            START,
            "### Measured (bench)",
            "",
            f"`make bench` ({results['machine']['date']}, {results['machine']['arch']}, see "
            "`docs/benchmarks.md`) measured the code's own time per request, tracing on, with "
            f"the botocore client work included: the slowest route ({slowest_function}: "
            f"{slowest['route']}) takes **{code_p99_ms:.2f} ms at p99**; the slowest cold start "
            f"(import and first request) takes {cold_ms:.0f} ms. Adding "
            f"{DYNAMODB_CALL_MS:.0f} ms per DynamoDB call for the most calls any route makes "
            f"({most_calls}) gives **{duration_ms:.1f} ms**, so the peak of {PEAK_RPS:,} rps "
            f"needs about **{concurrency} concurrent executions** per region: the 100 ms "
            "duration assumed above stays the conservative figure.",
            END,
        ]
    )


def update(path: Path, results: dict[str, Any]) -> None:
    text = path.read_text(encoding="utf-8")
    block = paragraph(results)
    if not block:
        return
    if START in text and END in text:
        before = text[: text.index(START)]
        after = text[text.index(END) + len(END) :]
        text = before + block + after
    elif NEXT_SECTION in text:
        before, after = text.split(NEXT_SECTION, 1)
        text = before.rstrip("\n") + "\n\n" + block + "\n" + NEXT_SECTION + after
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    path.write_text(text, encoding="utf-8")
