"""The target loader: stack.json, terraform outputs (wrapped or not), tolerant output names."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from e2e_support.target import TargetConfigError, build_target, load_target, unwrap_outputs

STACK = {
    "aws_endpoint_url": "http://127.0.0.1:4566",
    "primary_region": "us-east-1",
    "regions": {
        "us-east-1": {"api_url": "http://127.0.0.1:4566/restapis/a1/v1/_user_request_/"},
        "us-west-2": {"api_url": "http://127.0.0.1:4566/restapis/b2/v1/_user_request_"},
    },
    "cognito": {"region": "us-east-1", "user_pool_id": "us-east-1_Pool", "client_id": "cid"},
    "terraform_outputs": {
        "partner_secret_arn": {
            "value": "arn:aws:secretsmanager:us-east-1:1:secret:p", "type": "string",
            "sensitive": False,
        },
        "openapi_document": {"value": "openapi: 3.0.1\npaths: {}\n", "type": "string"},
        "table_name": {"value": "meridian-local"},
    },
}  # fmt: skip


def test_stack_json_is_the_default_shape(tmp_path: Path) -> None:
    path = tmp_path / "stack.json"
    path.write_text(json.dumps(STACK))
    target = load_target({"E2E_STACK_JSON": str(path)})
    assert target.is_devstack
    assert target.primary_region == "us-east-1"
    assert target.secondary_region == "us-west-2"
    assert target.primary_api_url == "http://127.0.0.1:4566/restapis/a1/v1/_user_request_"
    assert target.secondary_api_url == "http://127.0.0.1:4566/restapis/b2/v1/_user_request_"
    assert target.client_id == "cid"
    assert target.partner_secret_arn == "arn:aws:secretsmanager:us-east-1:1:secret:p"
    assert target.table_name == "meridian-local"
    assert target.openapi_document == {"openapi": "3.0.1", "paths": {}}
    assert target.issuer == "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Pool"
    assert target.jwks_url == "http://127.0.0.1:4566/us-east-1_Pool/.well-known/jwks.json"


def test_missing_stack_json_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(TargetConfigError, match="make up"):
        load_target({"E2E_STACK_JSON": str(tmp_path / "absent.json")})


def test_terraform_outputs_of_a_real_deployment(tmp_path: Path) -> None:
    outputs = {
        "api_urls": {"value": {
            "eu-west-1": "https://abc.execute-api.eu-west-1.amazonaws.com/v1",
            "eu-central-1": "https://def.execute-api.eu-central-1.amazonaws.com/v1/",
        }},
        "primary_region": {"value": "eu-west-1"},
        "secondary_region": {"value": "eu-central-1"},
        "user_pool_id": {"value": "eu-west-1_Abc"},
        "user_pool_client_id": {"value": "client123"},
        "partner_issuer": {"value": "meridian-partners-prod"},
        "partner_audience": {"value": "meridian-api-prod"},
        "openapi_document": {"value": json.dumps({"openapi": "3.0.1", "paths": {"/health": {}}})},
    }  # fmt: skip
    path = tmp_path / "outputs.json"
    path.write_text(json.dumps(outputs))
    target = load_target({"E2E_TERRAFORM_OUTPUTS": str(path)})
    assert not target.is_devstack
    assert target.aws_endpoint_url is None
    assert target.api_urls == {
        "eu-west-1": "https://abc.execute-api.eu-west-1.amazonaws.com/v1",
        "eu-central-1": "https://def.execute-api.eu-central-1.amazonaws.com/v1",
    }
    assert target.primary_region == "eu-west-1"
    assert target.secondary_region == "eu-central-1"
    assert target.cognito_region == "eu-west-1"  # the pool id's prefix
    assert target.partner_issuer == "meridian-partners-prod"
    assert target.partner_audience == "meridian-api-prod"
    assert target.openapi_document == {"openapi": "3.0.1", "paths": {"/health": {}}}
    assert target.jwks_url == (
        "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Abc/.well-known/jwks.json"
    )


def test_outputs_with_an_endpoint_override_are_a_devstack(tmp_path: Path) -> None:
    path = tmp_path / "outputs.json"
    path.write_text(json.dumps({
        "api_urls": {"us-east-1": "http://x/v1"}, "user_pool_id": "us-east-1_P",
        "user_pool_client_id": "c",
    }))  # fmt: skip
    target = load_target(
        {"E2E_TERRAFORM_OUTPUTS": str(path), "E2E_AWS_ENDPOINT_URL": "http://127.0.0.1:4650"}
    )
    assert target.is_devstack
    assert target.aws_endpoint_url == "http://127.0.0.1:4650"
    assert target.secondary_region is None


def test_alternative_output_names_and_nested_maps() -> None:
    target = build_target(
        {
            "regional_api_urls": {
                "us-east-1": {"invoke_url": "https://a/v1", "api_id": "a"},
                "us-west-2": {"invoke_url": "https://b/v1", "api_id": "b"},
            },
            "primary_region": "us-east-1",
            "cognito_user_pool_id": "us-east-1_X",
            "user_pool_client_ids": {"mobile": "m1", "admin": "a1"},
            "authorizer_function_names": {"us-west-2": "auth-west", "us-east-1": "auth-east"},
            "partner_secret_arn": {"us-east-1": "arn-east", "us-west-2": "arn-west"},
        },
        kind="aws",
    )
    assert target.api_urls == {"us-east-1": "https://a/v1", "us-west-2": "https://b/v1"}
    assert target.client_id == "m1"
    assert target.authorizer_function_name == "auth-east"
    assert target.partner_secret_arn == "arn-east"
    assert target.openapi_document is None


def test_incomplete_outputs_are_refused() -> None:
    with pytest.raises(TargetConfigError, match="API URL"):
        build_target({"user_pool_id": "p", "user_pool_client_id": "c"}, kind="aws")
    with pytest.raises(TargetConfigError, match="Cognito"):
        build_target({"api_urls": {"us-east-1": "https://a"}}, kind="aws")
    with pytest.raises(TargetConfigError, match="primary region"):
        build_target(
            {"api_urls": {"us-east-1": "https://a"}, "primary_region": "eu-west-1"}, kind="aws"
        )


def test_unwrap_keeps_plain_maps_that_happen_to_have_a_value_key() -> None:
    raw = {"a": {"value": 1, "type": "number"}, "b": {"value": 2, "other": 3}, "c": "plain"}
    assert unwrap_outputs(raw) == {"a": 1, "b": {"value": 2, "other": 3}, "c": "plain"}


def test_lambda_function_names_map_gives_the_authorizer() -> None:
    target = build_target(
        {
            "api_urls": {"us-east-1": "https://a/v1", "us-west-2": "https://b/v1"},
            "primary_region": "us-east-1",
            "user_pool_id": "us-east-1_X",
            "user_pool_client_id": "c",
            "lambda_function_names": {
                "us-east-1": {"authorizer": "meridian-dev-authorizer", "health": "h"},
                "us-west-2": {"authorizer": "meridian-dev-authorizer-w"},
            },
        },
        kind="aws",
    )
    assert target.authorizer_function_name == "meridian-dev-authorizer"


def test_api_urls_can_be_overridden(tmp_path: Path) -> None:
    path = tmp_path / "stack.json"
    path.write_text(json.dumps(STACK))
    target = load_target(
        {"E2E_STACK_JSON": str(path), "E2E_API_URLS": json.dumps({"us-east-1": "https://cf/v1/"})}
    )
    assert target.api_urls == {"us-east-1": "https://cf/v1"}
    assert target.client_id == "cid"  # everything else still from the stack


def test_the_edge_url_of_the_devstack_and_the_regional_api_ids(tmp_path: Path) -> None:
    path = tmp_path / "stack.json"
    path.write_text(json.dumps({**STACK, "edge_url": "http://127.0.0.1:4567/"}))
    target = load_target({"E2E_STACK_JSON": str(path)})
    assert target.edge_url == "http://127.0.0.1:4567"
    assert target.stage == "v1"
    assert target.edge_api_url == "http://127.0.0.1:4567/v1"
    assert target.api_id("us-west-2") == "b2"
    assert target.active_region == "us-east-1"


def test_the_edge_url_of_a_deployment_prefers_the_custom_domain() -> None:
    base = {
        "api_urls": {"eu-west-1": "https://abc.execute-api.eu-west-1.amazonaws.com/v1"},
        "user_pool_id": "eu-west-1_P", "user_pool_client_id": "c",
        "cloudfront_url": "https://d111.cloudfront.net", "active_region": "eu-central-1",
    }  # fmt: skip
    target = build_target({**base, "custom_domain_url": None}, kind="aws")
    assert target.edge_api_url == "https://d111.cloudfront.net/v1"
    assert target.api_id("eu-west-1") == "abc"
    assert target.active_region == "eu-central-1"
    custom = build_target({**base, "custom_domain_url": "https://api.example.com"}, kind="aws")
    assert custom.edge_api_url == "https://api.example.com/v1"
    assert build_target({**base, "cloudfront_url": None}, kind="aws").edge_url is None
