"""One emulator for the IAM suite, served on a free port (as tests/devstack/emulator does)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from devstack_support import serving

from devstack.server import DevstackApp


@pytest.fixture(scope="session")
def iam_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevstackApp]:
    with serving(tmp_path_factory.mktemp("devstack-iam")) as running:
        yield running.app
