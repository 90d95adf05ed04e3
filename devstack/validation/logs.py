"""CloudWatch Logs: PutRetentionPolicy accepts only AWS's retention values.

https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutRetentionPolicy.html:
"Possible values are: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827,
2192, 2557, 2922, 3288, and 3653"; anything else is ``InvalidParameterException`` (HTTP 400,
"A parameter is specified incorrectly"). moto 5.2.1 stores any number. The message below follows
AWS's standard constraint text; its exact wording is not documented.
"""

from __future__ import annotations

from devstack.validation import json_protocol_error
from devstack.wsgi import AwsRequest, Response

RETENTION_DAYS = (
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
    3288, 3653,
)  # fmt: skip


def check(request: AwsRequest) -> Response | None:
    """AWS's refusal of a PutRetentionPolicy, or None."""
    if request.target != "PutRetentionPolicy":
        return None
    days = request.json().get("retentionInDays")
    if days in RETENTION_DAYS:
        return None
    allowed = ", ".join(str(d) for d in RETENTION_DAYS)
    return json_protocol_error(
        "InvalidParameterException",
        f"1 validation error detected: Value '{days}' at 'retentionInDays' failed to satisfy "
        f"constraint: Member must satisfy enum value set: [{allowed}]",
    )
