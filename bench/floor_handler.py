"""The cold-start floor of the chosen stack: GET /health written with Powertools and nothing else.

Same decorators, same traced botocore client and the same one GetItem as the health function,
but no Meridian module: what any function built on Powertools' REST resolver pays before its own
code. ``make bench`` times it next to the real functions (reference, not budgeted).
"""

from __future__ import annotations

import os
from typing import Any

import boto3  # type: ignore[import-untyped]
from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response

logger = Logger()
metrics = Metrics()
tracer = Tracer(patch_modules=["botocore"])
app = APIGatewayRestResolver()
_clients: dict[str, Any] = {}


@app.get("/health")
def health() -> Response[str]:
    if "dynamodb" not in _clients:
        _clients["dynamodb"] = boto3.client("dynamodb")
    _clients["dynamodb"].get_item(
        TableName=os.environ["TABLE_NAME"],
        Key={"pk": {"S": "HEALTH#probe"}, "sk": {"S": "HEALTH#probe"}},
    )
    return Response(200, "application/json", '{"status":"ok"}')


@logger.inject_lambda_context
@tracer.capture_lambda_handler(capture_response=False)
@metrics.log_metrics(capture_cold_start_metric=True)
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:  # noqa: ANN401
    return app.resolve(event, context)
