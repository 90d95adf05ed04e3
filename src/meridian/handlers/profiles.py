"""Profiles function: /profiles, /profiles/me, sessions and the GDPR export (Cognito auth)."""

from __future__ import annotations

import os
import time
from typing import Any

from meridian import http
from meridian.config import load_at_cold_start
from meridian.identity import cognito_caller
from meridian.observability import MetricUnit, end_of_init, logger, metrics, tracer
from meridian.profiles.config import ProfilesConfig
from meridian.profiles.service import ProfileService
from meridian.repository import Repository

CONFIG = load_at_cold_start(ProfilesConfig.from_env, os.environ)
service = ProfileService(Repository(CONFIG.table_name), CONFIG.session_ttl_seconds)
ERASURE_MARGIN_SECONDS = 2.0
app = http.new_resolver(CONFIG.cors_allow_origin)
http.install_error_handlers(app, logger)
# Contract A (issue 12): mutating routes are refused unless this region is WRITE_REGION.
write_fence = http.install_write_fence(app, CONFIG.write_fence)


def _caller() -> str:
    """The Cognito user's ``sub``: every profiles route acts on the caller's own user data."""
    return cognito_caller(app.current_event.raw_event).id


@app.post("/profiles")
def create_profile() -> http.Response:
    profile = service.create_profile(_caller(), http.json_body(app, "profile_create"))
    metrics.add_metric(name="ProfileCreated", unit=MetricUnit.Count, value=1)
    return http.json_response(201, profile)


@app.get("/profiles/me")
def get_profile() -> http.Response:
    return http.json_response(200, service.get_profile(_caller()))


@app.put("/profiles/me")
def update_profile() -> http.Response:
    return http.json_response(
        200, service.update_profile(_caller(), http.json_body(app, "profile_update"))
    )


@app.delete("/profiles/me")
def delete_profile() -> http.Response:
    # Stop scrubbing ERASURE_MARGIN_SECONDS before the function times out: a clean 503 the client
    # repeats (the erasure continues where it stopped) instead of a timeout.
    context = app.lambda_context
    deadline = (
        time.monotonic() + context.get_remaining_time_in_millis() / 1000 - ERASURE_MARGIN_SECONDS
        if context is not None
        else None
    )
    service.delete_profile(_caller(), deadline)
    metrics.add_metric(name="ProfileErased", unit=MetricUnit.Count, value=1)
    return http.json_response(204)


@app.get("/profiles/me/export")
def export_profile() -> http.Response:
    return http.json_response(200, service.export(_caller(), http.query_parameter(app, "cursor")))


@app.post("/profiles/me/sessions")
def create_session() -> http.Response:
    return http.json_response(
        201, service.create_session(_caller(), http.json_body(app, "session_create"))
    )


@app.get("/profiles/me/sessions")
def list_sessions() -> http.Response:
    return http.json_response(200, {"items": service.list_sessions(_caller())})


@app.delete("/profiles/me/sessions/<session_id>")
def delete_session(session_id: str) -> http.Response:
    service.delete_session(_caller(), session_id)
    return http.json_response(204)


@logger.inject_lambda_context(correlation_from_api_gateway=True)
# Responses hold personal data (profiles, policies): keep them out of X-Ray metadata.
@tracer.capture_lambda_handler
@metrics.log_metrics(capture_cold_start_metric=True)
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:  # noqa: ANN401
    return http.resolve(app, logger, event, context)


end_of_init()  # last: everything above is init (meridian.observability)
