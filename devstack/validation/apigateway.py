"""API Gateway: CreateApiKey's value length (docs/aws-rules.md, "Regional API").

A custom API key value is 20 to 128 characters. moto 5.2.1 refuses a value under 20 characters
itself (AWS's ``BadRequestException`` "API Key value should be at least 20 characters") but
stores a longer one than 128; AWS refuses that with ``BadRequestException`` "API Key value
exceeds maximum size of 128 characters" (AWS's texts, quoted in
https://github.com/hashicorp/terraform-provider-aws/pull/30894; the limits:
https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-api-usage-plans.html#apigateway-usage-plans-best-practices).
"""

from __future__ import annotations

from devstack.validation import rest_json_error
from devstack.wsgi import AwsRequest, Response

MAX_KEY_LENGTH = 128


def check(request: AwsRequest) -> Response | None:
    """AWS's refusal of a CreateApiKey, or None."""
    if request.method != "POST" or request.path.rstrip("/") != "/apikeys":
        return None
    value = request.json().get("value")
    if isinstance(value, str) and len(value) > MAX_KEY_LENGTH:
        return rest_json_error(
            "BadRequestException",
            f"API Key value exceeds maximum size of {MAX_KEY_LENGTH} characters",
        )
    return None
