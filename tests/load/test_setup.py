"""App users for the load run in a pool that refuses SignUp (AllowAdminCreateUserOnly, common on
AWS): the factory falls back to AdminCreateUser + AdminSetUserPassword(Permanent) and can sign
in. moto does not enforce AllowAdminCreateUserOnly, so the refusal is what AWS answers
(NotAuthorizedException), raised here in its place."""

from __future__ import annotations

from collections.abc import Iterator

import boto3
import pytest
from botocore.exceptions import ClientError
from e2e_support.target import Target
from e2e_support.users import UserFactory
from moto import mock_aws

from load.setup import LoadUserFactory


@pytest.fixture
def target(monkeypatch: pytest.MonkeyPatch) -> Iterator[Target]:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        cognito = boto3.client("cognito-idp", region_name="us-east-1")
        pool = cognito.create_user_pool(
            PoolName="load", AdminCreateUserConfig={"AllowAdminCreateUserOnly": True}
        )["UserPool"]["Id"]
        client = cognito.create_user_pool_client(
            UserPoolId=pool,
            ClientName="app",
            ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        )["UserPoolClient"]["ClientId"]
        yield Target(
            kind="aws",
            primary_region="us-east-1",
            secondary_region=None,
            api_urls={"us-east-1": "https://api.example/v1"},
            user_pool_id=pool,
            cognito_region="us-east-1",
            client_id=client,
        )


def test_admin_only_pool_gets_admin_created_confirmed_users(
    target: Target, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(self: UserFactory) -> tuple[str, str, str]:
        raise ClientError(
            {"Error": {"Code": "NotAuthorizedException", "Message": "SignUp is not permitted"}},
            "SignUp",
        )

    monkeypatch.setattr(UserFactory, "sign_up", refuse)
    factory = LoadUserFactory(target)
    user = factory.create()
    cognito = boto3.client("cognito-idp", region_name="us-east-1")
    described = cognito.admin_get_user(UserPoolId=target.user_pool_id, Username=user.username)
    assert described["UserStatus"] == "CONFIRMED"
    assert user.id_token.count(".") == 2
    factory.cleanup()
    with pytest.raises(cognito.exceptions.UserNotFoundException):
        cognito.admin_get_user(UserPoolId=target.user_pool_id, Username=user.username)


def test_other_sign_up_errors_are_not_swallowed(
    target: Target, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(self: UserFactory) -> tuple[str, str, str]:
        raise ClientError({"Error": {"Code": "InvalidPasswordException", "Message": "x"}}, "SignUp")

    monkeypatch.setattr(UserFactory, "sign_up", broken)
    with pytest.raises(ClientError):
        LoadUserFactory(target).create()
