"""AWS mode (``LOAD_TARGET=aws``): the deployment from Terraform outputs, and the queries that give
the per-hop breakdown there.

The target comes from ``terraform -chdir=infra output -json`` (tests/e2e/e2e_support/target.py,
``E2E_TARGET=aws``); clients call the public URL (``custom_domain_url`` / ``cloudfront_url``).
App users are real Cognito users the tool creates and deletes (load/setup.py). Partner keys are
read from Secrets Manager with the operator's own credentials (nothing is written to a file or
an environment variable); ``--no-partners`` runs without partner traffic.

Replication on AWS is asynchronous (typically about a second between regions), so the
reconciliation polls, bounded: :func:`reconcile_with_polling`.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from load.reconcile import Reconciliation

# The access log of each regional stage is JSON with these fields (infra/modules/regional_api/
# api_gateway.tf; the $context variables are documented at
# https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-variables-for-access-logging.html).
# Log group: the regional_api module's access log group, one per region. Values are strings in
# the JSON document; Logs Insights compares and aggregates numeric-looking strings as numbers.
ACCESS_LOG_QUERY = """\
fields @timestamp, request_id, http_method, resource_path, status
| filter ispresent(request_id) and status < 500
| stats count(*) as requests,
        pct(waf_latency, 50) as waf_p50,
        pct(authorizer_latency, 50) as authorizer_p50,
        pct(authorizer_integration_latency, 50) as authorizer_lambda_p50,
        pct(integration_latency, 50) as function_p50,
        pct(response_latency, 50) as total_p50,
        pct(response_latency, 99) as total_p99,
        max(response_latency) as total_max
  by http_method, resource_path
| sort requests desc"""

# One request in full: the access log line of a request id the client saw (x-amzn-RequestId or
# the error body's request_id), then its X-Ray trace id.
ACCESS_LOG_ONE_REQUEST = """\
fields @timestamp, status, waf_latency, authorizer_latency, authorizer_integration_latency,
       integration_latency, response_latency, xray_trace_id
| filter request_id = "<request id>\""""

# X-Ray (https://docs.aws.amazon.com/xray/latest/devguide/xray-console-filters.html): the
# traces of one route that took longer than 200 ms; each trace shows API Gateway, the authorizer
# and the function segments and the function's DynamoDB subsegments (meridian.observability emits
# one per AWS SDK call), i.e. the per-hop breakdown of that request.
XRAY_FILTER = 'http.url CONTAINS "/transactions" AND http.method = "POST" AND responsetime > 0.2'


def reconcile_with_polling(
    attempt: Callable[[], Reconciliation],
    timeout_seconds: float = 60.0,
    interval_seconds: float = 5.0,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> tuple[Reconciliation, int]:
    """Run ``attempt`` until it passes or ``timeout_seconds`` passed; (last result, attempts).

    Bounded: replication that has not converged by then is reported as the failures it causes.
    """
    deadline = clock() + timeout_seconds
    attempts = 0
    while True:
        attempts += 1
        result = attempt()
        if result.ok or clock() >= deadline:
            return result, attempts
        sleep(interval_seconds)
