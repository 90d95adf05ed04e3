"""Fixtures of the end-to-end suites: the target, its APIs, users and partner tokens.

The suites run against an ALREADY running stack (see docs/testing-guide.md); nothing here starts or
stops it. Every user created is removed at the end (admin delete) together with its profile.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator

import pytest
from e2e_support import aws
from e2e_support.api import Api
from e2e_support.partner import Partner
from e2e_support.target import Target, load_target
from e2e_support.users import User, UserFactory


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "devstack_only: needs the devstack (fault injection, ...)")
    config.addinivalue_line("markers", "lifecycle: Terraform plan-after-apply check")
    config.addinivalue_line("markers", "fuzz: schemathesis contract fuzzing")


@pytest.fixture(scope="session")
def target() -> Target:
    return load_target()


def regional_api(target: Target, region: str) -> Api:
    """One region's API called directly, with the origin-verify header CloudFront would add."""
    url = target.api_urls.get(region)
    if url is None:
        pytest.fail(f"the target has no API in {region}: {target.api_urls}")
    return Api(url, region, default_headers=target.origin_verify_headers, via="regional")


@pytest.fixture(scope="session")
def api(target: Target) -> Api:
    """The API as a client calls it: through the edge (CloudFront), unless E2E_VIA=regional.

    Through the edge the region is the active one (CloudFront sends every request there).
    """
    via = os.environ.get("E2E_VIA", "edge").lower()
    if via == "edge" and target.edge_api_url:
        return Api(target.edge_api_url, target.active_region, via="edge")
    if via == "edge" and not os.environ.get("E2E_API_URLS"):
        pytest.fail(
            "the target has no edge URL (stack.json edge_url / cloudfront_url output): "
            "set E2E_VIA=regional to call the primary region directly"
        )
    return regional_api(target, target.primary_region)


@pytest.fixture(scope="session")
def api_primary(target: Target) -> Api:
    """The primary region's API, directly (with the origin-verify header)."""
    return regional_api(target, target.primary_region)


@pytest.fixture(scope="session")
def api_active(target: Target) -> Api:
    """The active region's API (it takes the writes), directly with the origin-verify header."""
    return regional_api(target, target.active_region)


@pytest.fixture(scope="session")
def api_secondary(target: Target) -> Api:
    """The secondary region's API, directly (with the origin-verify header)."""
    if target.secondary_region is None:
        pytest.fail(f"the target has no secondary region API: {target.api_urls}")
    return regional_api(target, target.secondary_region)


@pytest.fixture(scope="session")
def user_factory(target: Target, api: Api) -> Iterator[UserFactory]:
    factory = UserFactory(target)
    yield factory
    # Erase what the users left behind (profile and sessions), then the users themselves.
    try:
        for user in factory.created:
            api.delete("/profiles/me", token=user.id_token)
    finally:
        factory.cleanup()


@pytest.fixture
def new_user(user_factory: UserFactory) -> Callable[[], User]:
    return user_factory.create


@pytest.fixture
def user(user_factory: UserFactory) -> User:
    return user_factory.create()


@pytest.fixture
def other_user(user_factory: UserFactory) -> User:
    return user_factory.create()


@pytest.fixture(scope="session")
def partners(target: Target) -> dict[str, Partner]:
    """The stack's partners (var.partners), each signing with the key read from its secret."""
    found = aws.partners(target)
    if not found:
        pytest.fail("the stack has no partner key secret: set partners in the tfvars")
    return found


@pytest.fixture(scope="session")
def partner(partners: dict[str, Partner]) -> Partner:
    return partners[sorted(partners)[0]]


@pytest.fixture(scope="session")
def other_partner(partners: dict[str, Partner]) -> Partner:
    if len(partners) < 2:
        pytest.skip("needs two partners in the tfvars (envs/local.tfvars defines acme and globex)")
    return partners[sorted(partners)[1]]
