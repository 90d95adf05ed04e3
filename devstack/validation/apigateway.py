"""API Gateway: CreateApiKey's value length; UpdateUsagePlan removing a stage the plan lacks
(docs/aws-rules.md, "Regional API").

Removing an API stage that is not in the usage plan: AWS answers ``BadRequestException``
"Invalid API Stage specified" (quoted in https://github.com/boto/boto3/issues/2629); moto 5.2.1
crashes (``list.remove``: a 500, which the provider's SDK keeps retrying).

A custom API key value is 20 to 128 characters. moto 5.2.1 refuses a value under 20 characters
itself (AWS's ``BadRequestException`` "API Key value should be at least 20 characters") but
stores a longer one than 128; AWS refuses that with ``BadRequestException`` "API Key value
exceeds maximum size of 128 characters" (AWS's texts, quoted in
https://github.com/hashicorp/terraform-provider-aws/pull/30894; the limits:
https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-api-usage-plans.html#apigateway-usage-plans-best-practices).
"""

from __future__ import annotations

import re

from devstack.validation import rest_json_error
from devstack.wsgi import AwsRequest, Response

MAX_KEY_LENGTH = 128
_USAGE_PLAN_PATH = re.compile(r"^/usageplans/(?P<plan>[^/]+)$")


def check(request: AwsRequest) -> Response | None:
    """AWS's refusal of a CreateApiKey or an UpdateUsagePlan, or None."""
    plan_match = _USAGE_PLAN_PATH.match(request.path)
    if request.method == "PATCH" and plan_match and request.region:
        return _usage_plan_update(request, plan_match.group("plan"), request.region)
    if request.method != "POST" or request.path.rstrip("/") != "/apikeys":
        return None
    value = request.json().get("value")
    if isinstance(value, str) and len(value) > MAX_KEY_LENGTH:
        return rest_json_error(
            "BadRequestException",
            f"API Key value exceeds maximum size of {MAX_KEY_LENGTH} characters",
        )
    return None


def _usage_plan_update(request: AwsRequest, plan_id: str, region: str) -> Response | None:
    # moto is imported late (the server configures its environment first).
    from moto.apigateway.models import apigateway_backends  # noqa: PLC0415
    from moto.core.models import DEFAULT_ACCOUNT_ID  # noqa: PLC0415

    plan = apigateway_backends[DEFAULT_ACCOUNT_ID][region].usage_plans.get(plan_id)
    if plan is None:
        return None  # moto answers NotFoundException itself
    stages = {(stage.get("apiId"), stage.get("stage")) for stage in plan.api_stages}
    for operation in request.json().get("patchOperations") or []:
        if operation.get("op") != "remove" or operation.get("path") != "/apiStages":
            continue
        api_id, _, stage = str(operation.get("value", "")).partition(":")
        if (api_id, stage) not in stages:
            return rest_json_error("BadRequestException", "Invalid API Stage specified")
    return None
