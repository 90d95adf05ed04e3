"""Fixtures of the end-to-end suites: the target, its APIs, users and partner tokens.

The suites run against an ALREADY running stack (see docs/testing-guide.md); nothing here starts or
stops it. Every user created is removed at the end (admin delete) together with its profile.
"""

from __future__ import annotations

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


@pytest.fixture(scope="session")
def api(target: Target) -> Api:
    return Api(target.primary_api_url, target.primary_region)


@pytest.fixture(scope="session")
def api_secondary(target: Target) -> Api:
    url = target.secondary_api_url
    if url is None or target.secondary_region is None:
        pytest.fail(f"the target has no secondary region API: {target.api_urls}")
    return Api(url, target.secondary_region)


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
def partner(target: Target) -> Partner:
    issuer, audience = target.partner_issuer, target.partner_audience
    if not issuer or not audience:
        environment = aws.authorizer_environment(target)
        issuer = issuer or environment["PARTNER_ISSUER"]
        audience = audience or environment["PARTNER_AUDIENCE"]
    return Partner(issuer, audience, aws.partner_signing_key(target))
