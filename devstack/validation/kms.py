"""KMS: ScheduleKeyDeletion's waiting period is 7 to 30 days.

https://docs.aws.amazon.com/kms/latest/APIReference/API_ScheduleKeyDeletion.html
(PendingWindowInDays): "If you include a value, it must be between 7 and 30, inclusive. If you
do not include a value, it defaults to 30." moto 5.2.1 answers 200 for any other value and
silently schedules nothing (DeletionDate null, the key stays Enabled): a destroy would "succeed"
with the key left behind. AWS answers ``ValidationException``; the message below follows AWS's
standard constraint text (its exact wording for this field is not documented).
"""

from __future__ import annotations

from devstack.validation import json_protocol_error
from devstack.wsgi import AwsRequest, Response

MIN_DAYS = 7
MAX_DAYS = 30


def check(request: AwsRequest) -> Response | None:
    """AWS's refusal of a ScheduleKeyDeletion outside 7-30 days, or None."""
    if request.target != "ScheduleKeyDeletion":
        return None
    days = request.json().get("PendingWindowInDays")
    if days is None or (isinstance(days, int) and MIN_DAYS <= days <= MAX_DAYS):
        return None
    bound = (
        f"greater than or equal to {MIN_DAYS}"
        if isinstance(days, int) and days < MIN_DAYS
        else f"less than or equal to {MAX_DAYS}"
    )
    return json_protocol_error(
        "ValidationException",
        f"1 validation error detected: Value '{days}' at 'pendingWindowInDays' failed to "
        f"satisfy constraint: Member must have value {bound}",
    )
