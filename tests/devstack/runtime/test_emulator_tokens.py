"""The Cognito check accepts the tokens the pinned emulator (moto) issues, with its JWKS."""

from __future__ import annotations

import time
from typing import Any
from unittest import mock

import boto3
import jwt
import pytest
from jwt.algorithms import RSAAlgorithm
from moto import mock_aws
from moto.utilities.utils import load_resource

from devstack.runtime.authorizers import verify_cognito_token
from devstack.runtime.contracts import InvokeResult, StageConfig, UsagePlanKey
from devstack.runtime.gateway_responses import GatewayError

REGION = "us-east-1"


class JwksOnlyBackend:
    account_id = "123456789012"

    def openapi_document(self, region: str, api_id: str) -> dict[str, Any] | None:
        return None

    def stage(self, region: str, api_id: str, stage_name: str) -> StageConfig | None:
        return None

    def invoke_function(self, function_arn: str, payload: bytes) -> InvokeResult:
        raise AssertionError("not used")

    def invoke_function_waiting(
        self, function_arn: str, payload: bytes, wait_seconds: float
    ) -> InvokeResult | None:
        raise AssertionError("not used")

    def user_pool_jwks(self, region: str, user_pool_id: str) -> dict[str, Any] | None:
        # What the emulator serves on /{pool_id}/.well-known/jwks.json for every pool.
        jwks: dict[str, Any] = load_resource(
            "moto.cognitoidp.responses", "resources/jwks-public.json"
        )
        return jwks

    def usage_plan_keys(self, region: str, api_id: str, stage_name: str) -> list[UsagePlanKey]:
        return []


def test_moto_id_and_access_tokens_verify():
    with mock_aws():
        idp = boto3.client("cognito-idp", region_name=REGION)
        pool = idp.create_user_pool(PoolName="sample")["UserPool"]
        client_id = idp.create_user_pool_client(
            UserPoolId=pool["Id"],
            ClientName="app",
            ExplicitAuthFlows=["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        )["UserPoolClient"]["ClientId"]
        idp.admin_create_user(UserPoolId=pool["Id"], Username="someone")
        idp.admin_set_user_password(
            UserPoolId=pool["Id"], Username="someone", Password="Sample-Passw0rd!", Permanent=True
        )
        result = idp.admin_initiate_auth(
            UserPoolId=pool["Id"],
            ClientId=client_id,
            AuthFlow="ADMIN_USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": "someone", "PASSWORD": "Sample-Passw0rd!"},
        )["AuthenticationResult"]
    backend = JwksOnlyBackend()
    id_claims = verify_cognito_token(backend, [pool["Arn"]], result["IdToken"], (), time.time())
    assert id_claims["token_use"] == "id"
    assert id_claims["aud"] == client_id
    assert id_claims["cognito:username"] == "someone"
    access = verify_cognito_token(backend, [pool["Arn"]], result["AccessToken"], (), time.time())
    assert access["client_id"] == client_id


def test_a_token_s_signature_is_checked_once_its_expiry_on_every_request():
    # Each request through a Cognito authorizer verified the same token's RSA signature again
    # (a tenth of the emulator's time on profile reads); a signature is a pure function of the
    # token and the key, the expiry is not.
    with mock_aws():
        idp = boto3.client("cognito-idp", region_name=REGION)
        pool = idp.create_user_pool(PoolName="cached")["UserPool"]
        client_id = idp.create_user_pool_client(
            UserPoolId=pool["Id"],
            ClientName="app",
            ExplicitAuthFlows=["ALLOW_ADMIN_USER_PASSWORD_AUTH"],
        )["UserPoolClient"]["ClientId"]
        idp.admin_create_user(UserPoolId=pool["Id"], Username="again")
        idp.admin_set_user_password(
            UserPoolId=pool["Id"], Username="again", Password="Sample-Passw0rd!", Permanent=True
        )
        token = idp.admin_initiate_auth(
            UserPoolId=pool["Id"],
            ClientId=client_id,
            AuthFlow="ADMIN_USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": "again", "PASSWORD": "Sample-Passw0rd!"},
        )["AuthenticationResult"]["IdToken"]
    backend = JwksOnlyBackend()
    with mock.patch.object(
        RSAAlgorithm, "verify", autospec=True, side_effect=RSAAlgorithm.verify
    ) as verify:
        claims = [
            verify_cognito_token(backend, [pool["Arn"]], token, (), time.time()) for _ in range(3)
        ]
    assert verify.call_count == 1
    assert claims[0] == claims[2]
    claims[0]["token_use"] = "changed by a caller"
    assert verify_cognito_token(backend, [pool["Arn"]], token, (), time.time())["token_use"] == "id"
    expires = jwt.decode(token, options={"verify_signature": False})["exp"]
    with pytest.raises(GatewayError):
        verify_cognito_token(backend, [pool["Arn"]], token, (), expires + 1)
    header, payload, signature = token.split(".")
    forged = f"{header}.{payload}.{signature[:-4]}AAAA"
    with pytest.raises(GatewayError):
        verify_cognito_token(backend, [pool["Arn"]], forged, (), time.time())
