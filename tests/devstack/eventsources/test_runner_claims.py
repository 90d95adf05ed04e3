"""One poller per mapping per process, however many emulators the process runs.

moto's backends are process-wide: every ``DevstackApp`` alive in one process sees every event
source mapping. Lambda runs a mapping once (one poller per shard,
https://docs.aws.amazon.com/lambda/latest/dg/with-ddb.html), so the runners of one process claim
each mapping by UUID (``devstack.eventsources.runner``): the app through which the mapping was
created runs it; another runner takes it over, from its checkpoint, only when that app stops.
"""

from __future__ import annotations

from pathlib import Path

from devstack_support import serving
from es_support import Emulator, StreamSetup, delivered, put, wait_for

RECORDS = 6


def test_two_emulators_in_one_process_deliver_each_record_once(
    emulator: Emulator, stream: StreamSetup, journal: Path, tmp_path: Path
) -> None:
    with serving(tmp_path / "second-emulator-state") as second:
        setup = stream.build()
        for index in range(RECORDS):
            setup.put(f"item-{index}")
        wait_for(lambda: len(delivered(journal)) >= RECORDS, what="every record")
        assert emulator.app.event_sources.wait_idle(timeout_seconds=30)
        assert second.app.event_sources.wait_idle(timeout_seconds=30)
    assert delivered(journal) == [f"item-{index}" for index in range(RECORDS)]


def test_a_mapping_outlives_the_emulator_that_ran_it_without_redelivery(
    emulator: Emulator, stream: StreamSetup, journal: Path, tmp_path: Path
) -> None:
    """The emulator that created the mapping stops; another one resumes at its checkpoint."""
    with serving(tmp_path / "first-emulator-state") as first:
        setup = stream.build(on=first)
        setup.put("before")
        wait_for(lambda: delivered(journal), what="the first record")
        assert first.app.event_sources.wait_idle(timeout_seconds=30)
    put(emulator.client("dynamodb"), setup.table, "after")
    wait_for(lambda: "after" in delivered(journal), what="the record written after the stop")
    assert emulator.app.event_sources.wait_idle(timeout_seconds=30)
    assert delivered(journal) == ["before", "after"]
