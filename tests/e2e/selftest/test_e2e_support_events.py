"""Self-tests of the transaction-events helpers (tests/e2e/e2e_support/events.py); no stack."""

from __future__ import annotations

import re

import pytest
from e2e_support.events import events_outputs, new_ulid, percentile
from e2e_support.target import Target

ULID = re.compile(r"^[0-7][0-9A-HJKMNP-TV-Z]{25}$")  # infra/api/events/transaction.created.v1.json


def test_new_ulid_matches_the_event_schema_pattern_and_is_time_ordered() -> None:
    first, second = new_ulid(), new_ulid()
    assert ULID.fullmatch(first)
    assert ULID.fullmatch(second)
    assert first[:10] <= second[:10]  # the 48-bit time prefix
    assert first != second


def test_percentile_is_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 0.99) == 99.0
    assert percentile(values, 0.5) == 50.0
    assert percentile([7.0], 0.99) == 7.0


def test_events_outputs_needs_the_transaction_events_output() -> None:
    target = Target(
        kind="devstack",
        primary_region="us-east-1",
        secondary_region=None,
        api_urls={},
        user_pool_id="p",
        cognito_region="us-east-1",
        client_id="c",
    )
    with pytest.raises(LookupError, match="transaction_events"):
        events_outputs(target)
    with_output = Target(
        **{**target.__dict__, "outputs": {"transaction_events": {"us-east-1": {"topic_arn": "t"}}}}
    )
    assert events_outputs(with_output) == {"us-east-1": {"topic_arn": "t"}}
