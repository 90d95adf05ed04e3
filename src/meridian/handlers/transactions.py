"""Transactions function: POST/GET /transactions and GET /transactions/{id} (Lambda authorizer)."""

from __future__ import annotations

import os
from typing import Any

from meridian import http
from meridian.config import load_at_cold_start
from meridian.identity import Caller, lambda_authorizer_caller
from meridian.observability import MetricUnit, end_of_init, logger, metrics, tracer
from meridian.repository import Repository
from meridian.transactions.config import TransactionsConfig
from meridian.transactions.service import TransactionService, parse_limit

CONFIG = load_at_cold_start(TransactionsConfig.from_env, os.environ)
service = TransactionService(
    Repository(CONFIG.table_name, region=CONFIG.write_fence.region),
    CONFIG.max_transaction_amounts,
)
app = http.new_resolver(CONFIG.cors_allow_origin)
http.install_error_handlers(app, logger)
# Contract A (issue 12): mutating routes are refused unless this region is WRITE_REGION.
write_fence = http.install_write_fence(app, CONFIG.write_fence)


def _caller() -> Caller:
    return lambda_authorizer_caller(app.current_event.raw_event)


@app.post("/transactions")
def create_transaction() -> http.Response:
    caller = _caller()
    key = http.header(app, "Idempotency-Key")
    body = http.json_body(app, "transaction_create")
    transaction = service.create(caller, key, body)
    metrics.add_metric(name="TransactionRequested", unit=MetricUnit.Count, value=1)
    # A replay answers 201 with the first transaction too (docs/data-model.md#design-notes).
    return http.json_response(201, transaction)


@app.get("/transactions")
def list_transactions() -> http.Response:
    caller = _caller()
    limit = parse_limit(http.query_parameter(app, "limit"))
    return http.json_response(200, service.list(caller, limit, http.query_parameter(app, "cursor")))


@app.get("/transactions/<transaction_id>")
def get_transaction(transaction_id: str) -> http.Response:
    return http.json_response(200, service.get(_caller(), transaction_id))


@logger.inject_lambda_context(correlation_from_api_gateway=True)
# Responses hold personal data (profiles, policies): keep them out of X-Ray metadata.
@tracer.capture_lambda_handler
@metrics.log_metrics(capture_cold_start_metric=True)
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:  # noqa: ANN401
    return http.resolve(app, logger, event, context)


end_of_init()  # last: everything above is init (meridian.observability)
