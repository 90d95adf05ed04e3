"""MotoBackend reads the usage plans Terraform created in the emulator, as the runtime wants."""

from __future__ import annotations

from pathlib import Path

import boto3
from moto import mock_aws

from devstack.backend import MotoBackend
from devstack.runtime.contracts import UsagePlanKey

REGION = "us-east-1"


def test_keys_of_the_plans_bound_to_the_stage(tmp_path: Path):
    with mock_aws():
        apigw = boto3.client("apigateway", region_name=REGION)
        api_id = apigw.create_rest_api(name="sample")["id"]
        root = apigw.get_resources(restApiId=api_id)["items"][0]["id"]
        apigw.put_method(
            restApiId=api_id, resourceId=root, httpMethod="GET", authorizationType="NONE"
        )
        apigw.put_integration(restApiId=api_id, resourceId=root, httpMethod="GET", type="MOCK")
        deployment = apigw.create_deployment(restApiId=api_id)["id"]
        for stage in ("v1", "v2"):
            apigw.create_stage(restApiId=api_id, stageName=stage, deploymentId=deployment)
        partner = apigw.create_usage_plan(
            name="partner",
            apiStages=[{"apiId": api_id, "stage": "v1"}],
            quota={"limit": 500, "period": "DAY"},
            throttle={"rateLimit": 10.0, "burstLimit": 20},
        )["id"]
        users = apigw.create_usage_plan(name="users", apiStages=[{"apiId": api_id, "stage": "v1"}])[
            "id"
        ]
        other = apigw.create_usage_plan(name="other", apiStages=[{"apiId": api_id, "stage": "v2"}])[
            "id"
        ]
        for plan, value, enabled in (
            (partner, "meridian-local-usage-partner-acme", True),
            (users, "meridian-local-usage-app-users", True),
            (users, "meridian-local-usage-disabled-key", False),
            (other, "meridian-local-usage-other-stage", True),
        ):
            key_id = apigw.create_api_key(name=value, value=value, enabled=enabled)["id"]
            apigw.create_usage_plan_key(usagePlanId=plan, keyId=key_id, keyType="API_KEY")

        keys = MotoBackend("123456789012", tmp_path / "log").usage_plan_keys(REGION, api_id, "v1")

    assert sorted(keys, key=lambda key: key.value) == [
        UsagePlanKey("meridian-local-usage-app-users", True, users),
        UsagePlanKey("meridian-local-usage-disabled-key", False, users),
        UsagePlanKey("meridian-local-usage-partner-acme", True, partner, 500, "DAY", 10.0, 20),
    ]
