"""Lambda: the environment-variable rules of CreateFunction and UpdateFunctionConfiguration.

moto 5.2.1 stores any ``Environment.Variables``. AWS refuses two kinds with
``InvalidParameterValueException`` (HTTP 400) and these messages:

- a reserved key, the ones the runtime sets itself (``AWS_REGION`` among them: the reason the
  write fence's variable is ``WRITE_REGION``, not a Region variable of our own)
  https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime
  ("The keys for these environment variables are reserved and can't be set in your function
  configuration"); the message is AWS's, as quoted in e.g.
  https://github.com/mattermost/mattermost-cloud-monitoring/pull/264;
- more than 4 KB of variables in all
  https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html ("Environment variables
  4 KB, for all environment variables associated with the function, in aggregate"); AWS measures
  the variables as a compact JSON object and quotes it
  (https://github.com/github-aws-runners/terraform-aws-github-runner/issues/3594).

Not listed as refused here, although the guide's table mentions them: ``TZ`` and
``_X_AMZN_TRACE_ID`` (we know of no AWS refusal for them, and the stack sets neither).
"""

from __future__ import annotations

import json
import re

from devstack.validation import rest_json_error
from devstack.wsgi import AwsRequest, Response

_CREATE = re.compile(r"^/2015-03-31/functions/?$")
_UPDATE_CONFIGURATION = re.compile(r"^/2015-03-31/functions/[^/]+/configuration$")

RESERVED_KEYS = frozenset(
    {
        "_HANDLER",
        "AWS_DEFAULT_REGION",
        "AWS_REGION",
        "AWS_EXECUTION_ENV",
        "AWS_LAMBDA_FUNCTION_NAME",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
        "AWS_LAMBDA_FUNCTION_VERSION",
        "AWS_LAMBDA_INITIALIZATION_TYPE",
        "AWS_LAMBDA_LOG_GROUP_NAME",
        "AWS_LAMBDA_LOG_STREAM_NAME",
        "AWS_ACCESS_KEY",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_LAMBDA_RUNTIME_API",
        "LAMBDA_TASK_ROOT",
        "LAMBDA_RUNTIME_DIR",
    }
)
ENVIRONMENT_LIMIT_BYTES = 4096

_UNABLE = "Lambda was unable to configure your environment variables because the environment "


def check(request: AwsRequest) -> Response | None:
    """AWS's refusal of a function's environment, or None."""
    configures = (request.method == "POST" and _CREATE.match(request.path)) or (
        request.method == "PUT" and _UPDATE_CONFIGURATION.match(request.path)
    )
    if not configures:
        return None
    environment = request.json().get("Environment")
    variables = environment.get("Variables") if isinstance(environment, dict) else None
    if not isinstance(variables, dict):
        return None
    reserved = [key for key in variables if key in RESERVED_KEYS]
    if reserved:
        return rest_json_error(
            "InvalidParameterValueException",
            _UNABLE + "variables you have provided contains reserved keys that are currently not "
            "supported for modification. Reserved keys used in this request: "
            + ", ".join(reserved),
        )
    measured = json.dumps(variables, separators=(",", ":"), ensure_ascii=False)
    if len(measured.encode()) > ENVIRONMENT_LIMIT_BYTES:
        return rest_json_error(
            "InvalidParameterValueException",
            _UNABLE + "variables you have provided exceeded the 4KB limit. "
            f"String measured: {measured}",
        )
    return None
