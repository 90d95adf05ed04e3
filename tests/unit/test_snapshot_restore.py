"""Lambda SnapStart (issue 15): nothing that must be unique is captured in the snapshot.

One snapshot of the initialized function resumes many execution environments, so state created at
init is shared by all of them (https://docs.aws.amazon.com/lambda/latest/dg/snapstart-uniqueness.html).
Ids (ULIDs) draw os.urandom when minted, never at init; Python's ``random`` module, seeded at
import (botocore's retry jitter uses it), is reseeded by an after-restore runtime hook
(https://docs.aws.amazon.com/lambda/latest/dg/snapstart-runtime-hooks-python.html).
"""

from __future__ import annotations

import random
import sys
import types
from collections.abc import Callable

from meridian import ids, observability


def test_the_after_restore_hook_reseeds_random() -> None:
    random.seed(1234)
    captured = random.getstate()
    observability.reseed_after_restore()
    assert random.getstate() != captured, "two restored environments would draw the same numbers"


def test_the_hook_is_registered_with_the_runtimes_library(monkeypatch) -> None:
    registered: list[Callable[[], None]] = []
    fake = types.ModuleType("snapshot_restore_py")
    fake.register_after_restore = registered.append  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "snapshot_restore_py", fake)
    assert observability.install_snapshot_hooks()
    assert registered == [observability.reseed_after_restore]


def test_without_the_runtimes_library_nothing_is_registered(monkeypatch) -> None:
    # Outside Lambda (tests, the devstack's runtime) the library is absent: no error.
    monkeypatch.setitem(sys.modules, "snapshot_restore_py", None)
    assert not observability.install_snapshot_hooks()


def test_ulids_draw_fresh_randomness_per_call_not_at_init() -> None:
    # Two environments restored from one snapshot start from the same generator state: the
    # random part must come from os.urandom when an id is minted (same millisecond or not).
    first, second = ids.new_ulid(1_000), ids.new_ulid(2_000)
    assert first[10:] != second[10:]
