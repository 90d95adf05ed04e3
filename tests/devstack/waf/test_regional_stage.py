"""serve_stage consults the web ACL associated with the stage (AssociateWebACL on its ARN).

Drives the real emulator over HTTP: an API imported from OpenAPI (mock integrations and the
stack's WAF_FILTERED gateway response), a stage, the stack's regional web ACL associated with the
stage ARN, as ``infra/modules/regional_api`` does.
"""

from __future__ import annotations

import json
import socket
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from acls import CURRENT, ORIGIN_HEADER, create_acl, regional_rules
from werkzeug.serving import make_server

from devstack.server import DevstackApp, configure_moto_environment

configure_moto_environment()

MOCK = {
    "x-amazon-apigateway-integration": {
        "type": "mock",
        "requestTemplates": {"application/json": '{"statusCode": 200}'},
        "responses": {"default": {"statusCode": "200"}},
    },
    "responses": {"200": {"description": "ok"}},
}
DOCUMENT = {
    "openapi": "3.0.1",
    "info": {"title": "waf-sample", "version": "1", "description": "waf sample"},
    "paths": {"/health": {"get": MOCK}, "/profiles/me": {"get": MOCK}},
    "x-amazon-apigateway-gateway-responses": {
        "WAF_FILTERED": {
            "statusCode": "403",
            "responseParameters": {"gatewayresponse.header.Content-Type": "'application/json'"},
            "responseTemplates": {
                "application/json": '{"error":{"code":"FORBIDDEN","message":'
                '$context.error.messageString,"request_id":"$context.requestId"}}'
            },
        }
    },
}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = _free_port()
    app = DevstackApp(port, Path(tmp_path_factory.mktemp("waf-state")))
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.shutdown()
        server.server_close()
        app.shutdown()
        thread.join(timeout=10)


def _client(endpoint: str, service: str) -> Any:
    return boto3.client(
        service,
        region_name="us-east-1",
        endpoint_url=endpoint,
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )


@pytest.fixture(scope="module")
def stage_url(endpoint: str) -> str:
    apigw = _client(endpoint, "apigateway")
    api_id = apigw.import_rest_api(body=json.dumps(DOCUMENT).encode())["id"]
    deployment = apigw.create_deployment(restApiId=api_id)["id"]
    apigw.create_stage(restApiId=api_id, stageName="v1", deploymentId=deployment)
    acl_arn = create_acl(_client(endpoint, "wafv2"), "api-us-east-1", "REGIONAL", regional_rules())
    _client(endpoint, "wafv2").associate_web_acl(
        WebACLArn=acl_arn, ResourceArn=f"arn:aws:apigateway:us-east-1::/restapis/{api_id}/stages/v1"
    )
    return f"{endpoint}/restapis/{api_id}/v1/_user_request_"


def _get(url: str, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    request = urllib.request.Request(  # noqa: S310 - the loopback emulator
        url, headers={"User-Agent": "pytest", **(headers or {})}
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - loopback
            return int(response.status), bytes(response.read())
    except urllib.error.HTTPError as error:
        return int(error.code), bytes(error.read())


def test_direct_call_without_the_origin_header_gets_the_waf_filtered_response(
    stage_url: str,
) -> None:
    status, body = _get(f"{stage_url}/profiles/me")
    assert status == 403
    error = json.loads(body)["error"]
    assert error["code"] == "FORBIDDEN"
    assert error["message"] == "Forbidden"
    assert error["request_id"]


def test_health_needs_no_origin_header(stage_url: str) -> None:
    assert _get(f"{stage_url}/health")[0] == 200


def test_the_origin_header_lets_the_request_through(stage_url: str) -> None:
    assert _get(f"{stage_url}/profiles/me", {ORIGIN_HEADER: CURRENT})[0] == 200
