"""Cognito redirect URLs (devstack.validation.cognito), through boto3 to the emulator.

https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_CreateUserPoolClient.html:
absolute, no fragment, HTTPS except http://localhost; app schemes allowed. moto stores anything.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from botocore.exceptions import ClientError


@pytest.fixture(scope="module")
def pool_id(emulator: Any) -> str:
    pool = emulator.client("cognito-idp").create_user_pool(PoolName=f"validation-{uuid.uuid4()}")
    return str(pool["UserPool"]["Id"])


def _client(emulator: Any, pool_id: str, **urls: Any) -> Any:
    return emulator.client("cognito-idp").create_user_pool_client(
        UserPoolId=pool_id,
        ClientName="validation",
        AllowedOAuthFlowsUserPoolClient=True,
        AllowedOAuthFlows=["code"],
        AllowedOAuthScopes=["openid"],
        SupportedIdentityProviders=["COGNITO"],
        **urls,
    )


@pytest.mark.parametrize(
    ("field", "url"),
    [
        ("CallbackURLs", ["http://app.example.com/callback"]),
        ("CallbackURLs", ["https://app.example.com/callback#token"]),
        ("CallbackURLs", ["/callback"]),
        ("LogoutURLs", ["http://app.example.com/"]),
    ],
)
def test_urls_cognito_refuses_are_refused(
    emulator: Any, pool_id: str, field: str, url: list[str]
) -> None:
    urls: dict[str, Any] = {"CallbackURLs": ["https://app.example.com/callback"], field: url}
    with pytest.raises(ClientError) as refused:
        _client(emulator, pool_id, **urls)
    error = refused.value.response["Error"]
    assert error["Code"] == "InvalidParameterException"
    assert field in error["Message"]


def test_the_same_rule_holds_on_update(emulator: Any, pool_id: str) -> None:
    created = _client(emulator, pool_id, CallbackURLs=["https://app.example.com/callback"])
    with pytest.raises(ClientError) as refused:
        emulator.client("cognito-idp").update_user_pool_client(
            UserPoolId=pool_id,
            ClientId=created["UserPoolClient"]["ClientId"],
            CallbackURLs=["http://app.example.com/callback"],
        )
    assert refused.value.response["Error"]["Code"] == "InvalidParameterException"


def test_https_localhost_and_app_schemes_are_accepted(emulator: Any, pool_id: str) -> None:
    urls = ["https://app.example.com/cb", "http://localhost:3000/cb", "myapp://callback"]
    created = _client(emulator, pool_id, CallbackURLs=urls, LogoutURLs=["https://app.example.com/"])
    assert created["UserPoolClient"]["CallbackURLs"] == urls
