"""``/_devstack/timings`` (contract H): per-request hop timings of a stage request."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import requests

from devstack.timings import RequestTiming, Timings, trace_root
from devstack.wsgi import AwsRequest

REGION = "us-west-2"
# Reads the table twice through the emulator, as a function does (botocore adds the
# invocation's X-Amzn-Trace-Id inside Lambda).
CODE = """
import json
import os
import boto3

client = boto3.client("dynamodb")


def handler(event, context):
    for _ in range(2):
        client.get_item(TableName=os.environ["TABLE"], Key={"pk": {"S": "probe"}})
    return {"statusCode": 200, "body": json.dumps({"ok": True})}
"""


def _openapi(function_arn: str) -> dict[str, Any]:
    uri = f"arn:aws:apigateway:{REGION}:lambda:path/2015-03-31/functions/{function_arn}/invocations"
    return {
        "openapi": "3.0.1",
        "info": {"title": "timings", "version": "1", "description": "timings"},
        "paths": {
            "/probe": {
                "get": {
                    "x-amazon-apigateway-integration": {
                        "type": "aws_proxy",
                        "httpMethod": "POST",
                        "uri": uri,
                    }
                }
            }
        },
    }


def _deploy(emulator: Any, name: str) -> str:
    """A table, a function reading it and a REST API stage in front of it: the stage URL."""
    dynamodb = emulator.client("dynamodb", REGION)
    dynamodb.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    iam = emulator.client("iam")
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "lambda.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
    role = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]
    iam.put_role_policy(
        RoleName=name,
        PolicyName="read",
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "dynamodb:GetItem", "Resource": "*"}],
            }
        ),
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", CODE)
    function = emulator.client("lambda", REGION).create_function(
        FunctionName=name,
        Runtime="python3.13",
        Role=role["Arn"],
        Handler="app.handler",
        Code={"ZipFile": buffer.getvalue()},
        Timeout=10,
        Environment={"Variables": {"TABLE": name}},
    )
    apigateway = emulator.client("apigateway", REGION)
    api_id = apigateway.import_rest_api(body=json.dumps(_openapi(function["FunctionArn"])))["id"]
    apigateway.create_deployment(restApiId=api_id, stageName="v1")
    emulator.client("lambda", REGION).add_permission(
        FunctionName=name,
        StatementId="apigateway",
        Action="lambda:InvokeFunction",
        Principal="apigateway.amazonaws.com",
        SourceArn=f"arn:aws:execute-api:{REGION}:123456789012:{api_id}/*",
    )
    return f"{emulator.endpoint}/restapis/{api_id}/v1/_user_request_"


def test_a_stage_request_has_its_hops(emulator: Any, unique_name: Any) -> None:
    url = _deploy(emulator, unique_name("timings")[:60])
    requests.delete(f"{emulator.endpoint}/_devstack/timings", timeout=10)

    answer = requests.get(f"{url}/probe", timeout=30)

    assert answer.status_code == 200, answer.text
    listed = requests.get(f"{emulator.endpoint}/_devstack/timings?limit=5", timeout=10).json()
    [record] = [r for r in listed["requests"] if r["path"] == "/v1/probe"]
    assert record["request_id"] == answer.headers["x-amzn-RequestId"]
    assert (record["method"], record["status"]) == ("GET", 200)
    assert record["started_at"].endswith("Z")
    hops = record["hops"]
    # Direct regional call, no web ACL, no authorizer: those hops are null.
    assert hops["edge_ms"] is None
    assert hops["waf_ms"] is None
    assert hops["authorizer_ms"] is None
    assert hops["authorizer_cached"] is None
    # The function's two GetItem calls are counted for this request.
    assert hops["dynamodb_calls"] == 2
    assert hops["dynamodb_ms"] > 0
    assert hops["function_ms"] >= hops["dynamodb_ms"]
    assert hops["gateway_ms"] >= 0
    assert record["total_ms"] >= hops["function_ms"] + hops["gateway_ms"] - 0.1


def test_delete_clears_and_limit_is_checked(emulator: Any) -> None:
    endpoint = f"{emulator.endpoint}/_devstack/timings"
    assert requests.delete(endpoint, timeout=10).json() == {"requests": []}
    assert requests.get(endpoint, timeout=10).json() == {"requests": []}
    refused = requests.get(f"{endpoint}?limit=lots", timeout=10)
    assert refused.status_code == 400
    assert "limit" in refused.json()["error"]


def _request(method: str, query: str = "") -> AwsRequest:
    return AwsRequest(method, "/_devstack/timings", query, {}, b"", {})


def test_the_buffer_is_bounded_and_newest_first() -> None:
    recorder = Timings(capacity=3)
    for index in range(5):
        with recorder.request("GET", f"/v1/{index}", "stage") as record:
            record.status = 200
    listed = json.loads(recorder.control(_request("GET", "limit=3")).body)["requests"]
    assert [r["path"] for r in listed] == ["/v1/4", "/v1/3", "/v1/2"]
    assert json.loads(recorder.control(_request("GET", "limit=1")).body)["requests"][0]["path"] == (
        "/v1/4"
    )
    assert recorder.control(_request("GET", "limit=4")).status == 400


def test_an_inner_stage_request_belongs_to_the_edge_record() -> None:
    recorder = Timings()
    with (
        recorder.request("GET", "/v1/x", "edge") as outer,
        recorder.request("GET", "/v1/x", "stage") as inner,
    ):
        assert inner is outer
    [record] = json.loads(recorder.control(_request("GET")).body)["requests"]
    assert record["hops"]["edge_ms"] is not None
    assert record["hops"]["edge_ms"] <= record["total_ms"]


def test_calls_of_other_invocations_are_not_counted() -> None:
    recorder = Timings()
    header = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=0"
    with recorder.request("GET", "/v1/x", "stage") as record, recorder.invocation(header):
        recorder.dynamodb_call(header, 1.5)
        recorder.dynamodb_call("Root=1-00000000-000000000000000000000000", 9.0)
        recorder.dynamodb_call(None, 9.0)
    recorder.dynamodb_call(header, 9.0)  # after the invocation ended
    assert isinstance(record, RequestTiming)
    assert (record.hops["dynamodb_calls"], record.hops["dynamodb_ms"]) == (1, 1.5)
    assert trace_root(header) == "1-5759e988-bd862e3fe1be46a994272793"
