"""`python -m bench.item_reads`: both paths read the same transactions and the figures print.

Structure only, never a timing (the figures are ratios from one run on a shared machine).
"""

from __future__ import annotations

import re

import pytest

from bench import item_reads


def test_the_smoke_run_prints_both_reads(capsys: pytest.CaptureFixture[str]) -> None:
    assert item_reads.main(["--rounds", "1", "--calls", "2", "--items", "3"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(":")[0] for line in lines] == ["Query, 3 items", "GetItem"]
    assert all(re.search(r"after/before \d+\.\d\d", line) for line in lines)


def test_the_two_paths_read_the_same_transactions() -> None:
    bodies = item_reads.answer_bodies(4)
    before = item_reads.repository_reads(item_reads.answered_client(bodies, direct=False), 4)
    after = item_reads.repository_reads(item_reads.answered_client(bodies, direct=True), 4)
    with item_reads.old_reader():
        old_page, old_transaction = before["list"](), before["get"]()
    page = after["list"]()
    assert page == old_page
    assert isinstance(page, list)
    assert len(page) == 4
    assert after["get"]() == old_transaction
