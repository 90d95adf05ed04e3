"""API Gateway's permission to invoke: the runtime asks ``may_invoke(function, source ARN)``
before an integration or a Lambda authorizer runs, and answers as API Gateway does when the
function's resource policy does not allow it (500 / AUTHORIZER_CONFIGURATION_ERROR)."""

from __future__ import annotations

import json

import pytest
from apigw_fixtures import API_ID, STAGE, FakeBackend, TokenFactory, function_arn, request
from rt_support import ACCOUNT_ID, REGION

from devstack.runtime.apigateway import RestApiRuntime
from devstack.runtime.lambda_workers import LambdaRuntime


@pytest.fixture
def backend(lambda_runtime: LambdaRuntime, sample_zip: bytes) -> FakeBackend:
    return FakeBackend(lambda_runtime, sample_zip, TokenFactory().jwks)


class Permissions:
    def __init__(self, denied: set[str]) -> None:
        self.denied = denied
        self.asked: list[tuple[str, str]] = []

    def __call__(self, function: str, source_arn: str) -> bool:
        self.asked.append((function, source_arn))
        return function.rsplit(":", 1)[1] not in self.denied


def test_integration_without_permission_is_500_and_not_invoked(backend: FakeBackend) -> None:
    permissions = Permissions({"echo"})
    runtime = RestApiRuntime(backend, may_invoke=permissions)
    response = runtime.handle(REGION, API_ID, STAGE, request("GET", "/things/special"))
    assert response.status == 500
    assert backend.invocations["echo"] == 0
    assert permissions.asked == [
        (
            function_arn("echo"),
            f"arn:aws:execute-api:{REGION}:{ACCOUNT_ID}:{API_ID}/{STAGE}/GET/things/special",
        )
    ]
    allowed = RestApiRuntime(backend, may_invoke=Permissions(set()))
    assert allowed.handle(REGION, API_ID, STAGE, request("GET", "/things/special")).status == 200


def test_authorizer_without_permission_is_a_configuration_error(backend: FakeBackend) -> None:
    permissions = Permissions({"token-authorizer"})
    runtime = RestApiRuntime(backend, may_invoke=permissions)
    response = runtime.handle(
        REGION, API_ID, STAGE, request("GET", "/guarded", headers=[("Authorization", "allow-one")])
    )
    assert response.status == 500
    assert backend.invocations["token-authorizer"] == 0
    function, source_arn = permissions.asked[0]
    assert function == function_arn("token-authorizer")
    assert source_arn.startswith(f"arn:aws:execute-api:{REGION}:{ACCOUNT_ID}:{API_ID}/authorizers/")
    assert json.loads(response.body)  # the gateway response's body, not an empty answer
