"""Health function: GET /health probes this region's table (no auth; Route 53 calls it)."""

from __future__ import annotations

import os
from typing import Any

from meridian import errors, http
from meridian.config import load_at_cold_start
from meridian.health_config import HealthConfig
from meridian.observability import end_of_init, logger, metrics, tracer
from meridian.repository import Repository

CONFIG = load_at_cold_start(HealthConfig.from_env, os.environ)
repository = Repository(CONFIG.table_name)
app = http.new_resolver(CONFIG.cors_allow_origin)
http.install_error_handlers(app, logger)


@app.get("/health")
def health() -> http.Response:
    try:
        repository.probe()
    except Exception as error:
        # Whatever the cause (even a missing table), this region must not take traffic.
        logger.warning("health probe failed", extra={"error_type": type(error).__name__})
        raise errors.ServiceUnavailableError("the table does not answer") from error
    return http.json_response(200, {"status": "ok", "region": CONFIG.region})


@logger.inject_lambda_context(correlation_from_api_gateway=True)
# Like every function: response bodies stay out of X-Ray metadata.
@tracer.capture_lambda_handler
@metrics.log_metrics(capture_cold_start_metric=True)
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:  # noqa: ANN401
    return http.resolve(app, logger, event, context)


end_of_init()  # last: everything above is init (meridian.observability)
