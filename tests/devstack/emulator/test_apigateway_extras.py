"""The API Gateway filler: client certificates and the stage's clientCertificateId."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

OPENAPI = {
    "openapi": "3.0.1",
    "info": {"title": "t", "version": "1"},
    "paths": {"/ping": {"get": {"x-amazon-apigateway-integration": {"type": "mock"}}}},
}


def test_client_certificate_lifecycle(emulator: Any) -> None:
    apigateway = emulator.client("apigateway", "us-west-2")
    created = apigateway.generate_client_certificate(description="backend", tags={"a": "1"})
    certificate_id = created["clientCertificateId"]
    assert created["pemEncodedCertificate"].startswith("-----BEGIN CERTIFICATE-----")
    assert created["expirationDate"] > created["createdDate"]
    fetched = apigateway.get_client_certificate(clientCertificateId=certificate_id)
    assert (fetched["description"], fetched["tags"]) == ("backend", {"a": "1"})
    ids = [c["clientCertificateId"] for c in apigateway.get_client_certificates()["items"]]
    assert certificate_id in ids
    apigateway.update_client_certificate(
        clientCertificateId=certificate_id,
        patchOperations=[{"op": "replace", "path": "/description", "value": "renamed"}],
    )
    arn = f"arn:aws:apigateway:us-west-2::/clientcertificates/{certificate_id}"
    apigateway.tag_resource(resourceArn=arn, tags={"b": "2"})
    apigateway.untag_resource(resourceArn=arn, tagKeys=["a"])
    assert apigateway.get_tags(resourceArn=arn)["tags"] == {"b": "2"}
    assert apigateway.get_client_certificate(clientCertificateId=certificate_id)["description"] == (
        "renamed"
    )
    apigateway.delete_client_certificate(clientCertificateId=certificate_id)
    with pytest.raises(ClientError) as gone:
        apigateway.get_client_certificate(clientCertificateId=certificate_id)
    assert gone.value.response["Error"]["Code"] == "NotFoundException"


def test_stage_keeps_its_client_certificate(emulator: Any) -> None:
    apigateway = emulator.client("apigateway", "us-east-1")
    api_id = apigateway.import_rest_api(body=json.dumps(OPENAPI))["id"]
    deployment = apigateway.create_deployment(restApiId=api_id)["id"]
    first = apigateway.generate_client_certificate()["clientCertificateId"]
    second = apigateway.generate_client_certificate()["clientCertificateId"]
    apigateway.create_stage(restApiId=api_id, stageName="v1", deploymentId=deployment)
    # CreateStage has no clientCertificateId: it is always set with UpdateStage.
    apigateway.update_stage(
        restApiId=api_id,
        stageName="v1",
        patchOperations=[{"op": "replace", "path": "/clientCertificateId", "value": first}],
    )
    assert apigateway.get_stage(restApiId=api_id, stageName="v1")["clientCertificateId"] == first
    apigateway.update_stage(
        restApiId=api_id,
        stageName="v1",
        patchOperations=[{"op": "replace", "path": "/clientCertificateId", "value": second}],
    )
    stages = apigateway.get_stages(restApiId=api_id)["item"]
    assert [s.get("clientCertificateId") for s in stages] == [second]
    apigateway.delete_stage(restApiId=api_id, stageName="v1")
    assert apigateway.get_stages(restApiId=api_id)["item"] == []
