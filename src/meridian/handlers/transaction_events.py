"""Transaction events function: DynamoDB stream batches → ``transaction.created`` on SNS.

The handler runs the publisher once per record and answers Lambda with the records that failed
(``batchItemFailures`` with each one's ``SequenceNumber``: the event source mapping has
``ReportBatchItemFailures``,
https://docs.aws.amazon.com/lambda/latest/dg/services-ddb-batchfailurereporting.html); a batch
whose every record failed raises instead, so the event source mapping bisects it and retries
(what Powertools' batch utility does; the loop is ours because that utility imports ~35 event
data classes and asyncio at every cold start, bench/findings.md). See meridian.events.publisher
for what fails and why.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from meridian import aws
from meridian.config import load_at_cold_start
from meridian.events.config import TransactionEventsConfig
from meridian.events.publisher import TransactionEventPublisher
from meridian.observability import MetricUnit, end_of_init, logger, metrics, tracer

CONFIG = load_at_cold_start(TransactionEventsConfig.from_env, os.environ)
publisher = TransactionEventPublisher(CONFIG.topic_arn, CONFIG.region, aws.client("sns"))


class BatchFailedError(Exception):
    """Every record of the batch failed (or one that failed has no sequence number to report):
    the invocation fails, so the event source mapping bisects the batch and retries."""


def sequence_number_of(record: Mapping[str, Any]) -> str | None:
    stream = record.get("dynamodb")
    number = stream.get("SequenceNumber") if isinstance(stream, Mapping) else None
    return number if isinstance(number, str) and number else None


def record_handler(record: Mapping[str, Any]) -> None:
    """One stream record: publish its event (or nothing); raise to report it failed."""
    sequence_number = sequence_number_of(record)
    try:
        published = publisher.handle(record)
    except Exception as error:
        # No item content in the log: the sequence number finds the record in the stream.
        logger.warning(
            "stream record not published",
            extra={"sequence_number": sequence_number, "error_type": type(error).__name__},
        )
        raise
    if published is None:
        return
    metrics.add_metric(name="EventsPublished", unit=MetricUnit.Count, value=1)
    metrics.add_metric(
        name="EventPublishLatency", unit=MetricUnit.Milliseconds, value=published.latency_ms
    )
    logger.info(
        "event published",
        extra={"event_id": published.event.event_id, "sequence_number": sequence_number},
    )


@logger.inject_lambda_context()
# Stream records carry table items: keep them out of X-Ray metadata like every response.
@tracer.capture_lambda_handler
@metrics.log_metrics(capture_cold_start_metric=True)
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:  # noqa: ANN401
    records = event.get("Records") or []
    failed: list[str | None] = []
    for record in records:
        try:
            record_handler(record)
        except Exception:  # every failure is reported; record_handler logged it
            failed.append(sequence_number_of(record))
    if failed and len(failed) == len(records):
        raise BatchFailedError(f"All records failed processing ({len(failed)} records)")
    if None in failed:
        # An item identifier Lambda cannot match fails the whole batch anyway: say so plainly.
        raise BatchFailedError("a failed record has no SequenceNumber to report")
    return {"batchItemFailures": [{"itemIdentifier": number} for number in failed]}


end_of_init()  # last: everything above is init (meridian.observability)
