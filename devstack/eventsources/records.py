"""moto's DynamoDB stream records, as Lambda hands them to a function, and the on-failure record.

The event record format (https://docs.aws.amazon.com/lambda/latest/dg/with-ddb.html, "Example
event"): ``eventID``, ``eventName``, ``eventVersion``, ``eventSource`` ``aws:dynamodb``,
``awsRegion`` (the Region of the table: moto writes a fixed ``us-east-1``), ``eventSourceARN`` and
``dynamodb`` with ``ApproximateCreationDateTime`` in epoch seconds, ``Keys``, the images,
``SequenceNumber``, ``SizeBytes`` and ``StreamViewType``.

The invocation record Lambda sends to an SQS/SNS on-failure destination for a DynamoDB stream
(https://docs.aws.amazon.com/lambda/latest/dg/services-dynamodb-errors.html, "Example Amazon SNS
and Amazon SQS invocation record") carries no record data, only where the discarded batch is:
``DDBStreamBatchInfo`` with the shard, the first and last sequence numbers, the arrival times,
the batch size and the stream ARN.
"""

from __future__ import annotations

import copy
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any


@dataclass(frozen=True)
class StreamRecord:
    """One record of a shard, as the function will receive it."""

    index: int  # position in the shard (0-based)
    sequence_number: str
    arrival: float  # epoch seconds (ApproximateCreationDateTime)
    event: dict[str, Any]


def lambda_record(raw: dict[str, Any], index: int, region: str, stream_arn: str) -> StreamRecord:
    """moto's ``StreamRecord.to_json()`` as the Lambda event record."""
    dynamodb = copy.deepcopy(raw["dynamodb"])
    created = dynamodb.get("ApproximateCreationDateTime")
    if isinstance(created, datetime):
        moment = created if created.tzinfo else created.replace(tzinfo=UTC)
        arrival = moment.timestamp()
    else:
        arrival = float(created or 0.0)
    # Lambda's event carries whole seconds (the example event and the Powertools schema: a number).
    dynamodb["ApproximateCreationDateTime"] = float(int(arrival))
    event = {
        "eventID": raw["eventID"],
        "eventName": raw["eventName"],
        "eventVersion": raw.get("eventVersion", "1.1"),
        "eventSource": "aws:dynamodb",
        "awsRegion": region,
        "dynamodb": dynamodb,
        "eventSourceARN": stream_arn,
    }
    return StreamRecord(index, str(dynamodb["SequenceNumber"]), arrival, event)


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def failure_record(
    *,
    function_arn: str,
    condition: str,
    invoke_count: int,
    function_error: str | None,
    shard_id: str,
    stream_arn: str,
    records: list[StreamRecord],
    now: float,
) -> dict[str, Any]:
    """The invocation record for a discarded batch (``records`` in shard order)."""
    response: dict[str, Any] = {"statusCode": 200, "executedVersion": "$LATEST"}
    if function_error:
        response["functionError"] = function_error
    return {
        "requestContext": {
            "requestId": str(uuid.uuid4()),
            "functionArn": function_arn,
            "condition": condition,
            "approximateInvokeCount": invoke_count,
        },
        "responseContext": response,
        "version": "1.0",
        "timestamp": datetime.fromtimestamp(now, UTC)
        .isoformat(timespec="milliseconds")
        .replace("+00:00", "Z"),
        "DDBStreamBatchInfo": {
            "shardId": shard_id,
            "startSequenceNumber": records[0].sequence_number,
            "endSequenceNumber": records[-1].sequence_number,
            "approximateArrivalOfFirstRecord": _iso(records[0].arrival),
            "approximateArrivalOfLastRecord": _iso(records[-1].arrival),
            "batchSize": len(records),
            "streamArn": stream_arn,
        },
    }
