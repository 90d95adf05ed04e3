"""The middleware's own routes: health, JWKS, Lambda Invoke dispatch, OpenAPI capture."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
import yaml

from devstack.fillers.apigateway import document_for_moto
from devstack.server import _STAGE_PATH

from .conftest import free_port

REPO_ROOT = Path(__file__).resolve().parents[3]

OPENAPI = {
    "openapi": "3.0.1",
    "info": {"title": "sample", "version": "1"},
    "paths": {
        "/items/{id}": {
            "parameters": [{"name": "id", "in": "path", "required": True}],
            "get": {
                "security": [{"pool": []}],
                "x-amazon-apigateway-integration": {
                    "type": "aws_proxy",
                    "httpMethod": "POST",
                    "uri": "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/"
                    "arn:aws:lambda:us-east-1:123456789012:function:fn/invocations",
                },
            },
            "options": {
                "x-amazon-apigateway-integration": {
                    "type": "mock",
                    "requestTemplates": {"application/json": '{"statusCode": 200}'},
                }
            },
        },
        "/{proxy+}": {
            "x-amazon-apigateway-any-method": {"x-amazon-apigateway-integration": {"type": "mock"}}
        },
    },
    "components": {
        "securitySchemes": {
            "pool": {
                "type": "apiKey",
                "name": "Authorization",
                "in": "header",
                "x-amazon-apigateway-authtype": "cognito_user_pools",
                "x-amazon-apigateway-authorizer": {
                    "type": "cognito_user_pools",
                    "providerARNs": ["arn:aws:cognito-idp:us-east-1:123456789012:userpool/x"],
                },
            }
        }
    },
}


def get(url: str) -> tuple[int, Any]:
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:  # noqa: S310 - local http
            return answer.status, json.loads(answer.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def test_health(emulator: Any) -> None:
    status, body = get(f"{emulator.endpoint}/_devstack/health")
    assert status == 200
    assert body["status"] == "ok"
    assert body["instance"] == emulator.app.instance


def test_jwks_served_for_existing_pools_only(emulator: Any, unique_name: Any) -> None:
    cognito = emulator.client("cognito-idp", "us-west-2")
    pool_id = cognito.create_user_pool(PoolName=unique_name("pool"))["UserPool"]["Id"]
    status, jwks = get(f"{emulator.endpoint}/{pool_id}/.well-known/jwks.json")
    assert status == 200
    assert jwks["keys"][0]["kty"] == "RSA"
    assert jwks["keys"][0]["alg"] == "RS256"
    status, _ = get(f"{emulator.endpoint}/us-west-2_doesnotexist/.well-known/jwks.json")
    assert status == 404


def test_put_rest_api_body_is_captured_whole(emulator: Any, unique_name: Any) -> None:
    apigateway = emulator.client("apigateway", "us-west-2")
    api_id = apigateway.create_rest_api(name=unique_name("api"))["id"]
    apigateway.put_rest_api(restApiId=api_id, mode="overwrite", body=yaml.safe_dump(OPENAPI))
    captured = emulator.app.backend.openapi_document("us-west-2", api_id)
    assert captured == OPENAPI  # authorizers and all, as sent
    assert emulator.app.backend.find_api_region(api_id) == "us-west-2"
    paths = {r["path"] for r in apigateway.get_resources(restApiId=api_id)["items"]}
    assert {"/items/{id}", "/{proxy+}"} <= paths
    apigateway.delete_rest_api(restApiId=api_id)
    assert emulator.app.backend.openapi_document("us-west-2", api_id) is None


def test_import_rest_api_body_is_captured(emulator: Any) -> None:
    apigateway = emulator.client("apigateway", "us-east-1")
    api_id = apigateway.import_rest_api(body=json.dumps(OPENAPI))["id"]
    assert emulator.app.backend.openapi_document("us-east-1", api_id) == OPENAPI


def test_document_for_moto_keeps_only_methods_and_completes_integrations() -> None:
    cleaned = document_for_moto(OPENAPI)
    assert set(cleaned["paths"]["/items/{id}"]) == {"get", "options"}
    assert set(cleaned["paths"]["/{proxy+}"]) == {"any"}
    mock = cleaned["paths"]["/items/{id}"]["options"]["x-amazon-apigateway-integration"]
    assert mock["uri"] == ""
    assert (
        "uri" not in OPENAPI["paths"]["/items/{id}"]["options"]["x-amazon-apigateway-integration"]
    )


def test_stage_of_unknown_api_is_404(emulator: Any) -> None:
    status, _ = get(f"{emulator.endpoint}/restapis/nope123/v1/_user_request_/health")
    assert status == 404


def test_stage_config_reflects_method_settings(emulator: Any, unique_name: Any) -> None:
    apigateway = emulator.client("apigateway", "us-east-1")
    api_id = apigateway.import_rest_api(body=json.dumps(OPENAPI))["id"]
    deployment = apigateway.create_deployment(restApiId=api_id)["id"]
    apigateway.create_stage(
        restApiId=api_id, stageName="v1", deploymentId=deployment, variables={"a": "b"}
    )
    apigateway.update_stage(
        restApiId=api_id,
        stageName="v1",
        patchOperations=[
            {"op": "replace", "path": "/*/*/throttling/rateLimit", "value": "5"},
            {"op": "replace", "path": "/*/*/throttling/burstLimit", "value": "7"},
            {"op": "replace", "path": "/~1items~1{id}/GET/throttling/rateLimit", "value": "1"},
        ],
    )
    stage = emulator.app.backend.stage("us-east-1", api_id, "v1")
    assert stage is not None
    assert (stage.throttling_rate_limit, stage.throttling_burst_limit) == (5.0, 7)
    assert stage.variables == {"a": "b"}
    assert stage.deployment_id == deployment
    assert emulator.app.backend.stage("us-east-1", api_id, "nope") is None


def test_invoke_of_unknown_function_is_404(emulator: Any) -> None:
    lambda_client = emulator.client("lambda", "us-east-1")
    with pytest.raises(lambda_client.exceptions.ResourceNotFoundException):
        lambda_client.invoke(FunctionName="does-not-exist", Payload=b"{}")


def test_server_process_starts_answers_and_stops_on_sigterm(tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "DEVSTACK_PORT": str(port), "DEVSTACK_STATE_DIR": str(tmp_path)}
    env["PYTHONPATH"] = str(REPO_ROOT)
    process = subprocess.Popen(
        [sys.executable, "-m", "devstack.server"],
        env=env,
        cwd=REPO_ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(300):
            if (tmp_path / "server.json").exists():
                try:
                    status, body = get(f"http://127.0.0.1:{port}/_devstack/health")
                    break
                except OSError:
                    pass
            time.sleep(0.1)
        else:
            pytest.fail("the server did not start")
        assert status == 200
        assert json.loads((tmp_path / "server.json").read_text())["pid"] == process.pid
        assert body["pid"] == process.pid
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_stage_path_with_a_decoded_line_break_is_still_a_stage_request() -> None:
    """A %0A in the path decodes to a newline; it must reach the runtime (which answers with the
    API's error body), not fall through to the emulator's HTML 404 page."""
    match = _STAGE_PATH.match("/restapis/abc123/v1/_user_request_/profiles/a\nb")
    assert match is not None
    assert match["path"] == "/profiles/a\nb"
    assert _STAGE_PATH.match("/restapis/abc123/v1/_user_request_/x\n/../y") is not None
    assert _STAGE_PATH.match("/restapis/abc123/v1/other") is None


def test_moto_is_asked_for_a_services_app_once_per_credential_scope(
    emulator: Any, unique_name: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """moto's dispatcher re-derives the service of every request (listing its own package
    directory on the way): the emulator asks it once per region and signing name, and each
    request still reaches its own service and region."""
    dispatcher = emulator.app.moto_app  # moto's DomainDispatcherApplication
    asked: list[str] = []
    original = dispatcher.get_application

    def counting(environ: dict[str, Any]) -> Any:
        asked.append(str(environ.get("HTTP_AUTHORIZATION", "")).split("/")[3])
        return original(environ)

    monkeypatch.setattr(dispatcher, "get_application", counting)
    north = emulator.client("sqs", "eu-north-1")
    queue = unique_name("scoped")
    north.create_queue(QueueName=queue)
    urls = north.list_queues(QueueNamePrefix=queue).get("QueueUrls", [])
    assert [url.rsplit("/", 1)[-1] for url in urls] == [queue]
    south = emulator.client("sqs", "sa-east-1")
    assert south.list_queues(QueueNamePrefix=queue).get("QueueUrls", []) == []
    topic = emulator.client("sns", "eu-north-1").create_topic(Name=queue)["TopicArn"]
    assert topic.startswith("arn:aws:sns:eu-north-1:")
    # DynamoDB and DynamoDB Streams share a signing name; moto tells them by the X-Amz-Target.
    dynamodb = emulator.client("dynamodb", "eu-north-1")
    created = dynamodb.create_table(
        TableName=queue,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
    )
    stream_arn = created["TableDescription"]["LatestStreamArn"]
    assert dynamodb.describe_table(TableName=queue)["Table"]["TableName"] == queue
    streams = emulator.client("dynamodbstreams", "eu-north-1")
    described = streams.describe_stream(StreamArn=stream_arn)["StreamDescription"]
    assert described["TableName"] == queue
    assert asked == ["sqs", "sqs", "sns", "dynamodb", "dynamodb"]
