"""Transaction events function: DynamoDB stream batches → ``transaction.created`` on SNS.

Powertools' batch utility runs the publisher once per record and answers Lambda with the
records that failed (``batchItemFailures``, the event source mapping has
``ReportBatchItemFailures``); a batch whose every record failed raises instead, so the event
source mapping bisects it and retries. See meridian.events.publisher for what fails and why.
"""

from __future__ import annotations

import os
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord

from meridian import aws
from meridian.config import TransactionEventsConfig, load_at_cold_start
from meridian.events.publisher import TransactionEventPublisher
from meridian.observability import logger, metrics, tracer

CONFIG = load_at_cold_start(TransactionEventsConfig.from_env, os.environ)
publisher = TransactionEventPublisher(CONFIG.topic_arn, CONFIG.region, aws.client("sns"))
processor = BatchProcessor(event_type=EventType.DynamoDBStreams)


def record_handler(record: DynamoDBRecord) -> None:
    """One stream record: publish its event (or nothing); raise to report it failed."""
    sequence_number = record.dynamodb.sequence_number if record.dynamodb else None
    try:
        published = publisher.handle(record.raw_event)
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


@logger.inject_lambda_context
# Stream records carry table items: keep them out of X-Ray metadata like every response.
@tracer.capture_lambda_handler(capture_response=False)
@metrics.log_metrics(capture_cold_start_metric=True)
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:  # noqa: ANN401
    response = process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
    return dict(response)
