"""meridian.observability against the AWS specifications it implements (issue 15):

- CloudWatch Embedded Metric Format:
  https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
- X-Ray segment documents and the daemon's UDP protocol:
  https://docs.aws.amazon.com/xray/latest/devguide/xray-api-segmentdocuments.html
  https://docs.aws.amazon.com/xray/latest/devguide/xray-api-sendingdata.html
- JSON log lines with the field names docs/operations.md queries (level, message, request_id).
"""

from __future__ import annotations

import io
import json
import re
import socket
import time
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber
from unit_support import received_segment_documents, xray_daemon_socket

from meridian import observability
from meridian.observability import Logger, Metrics, MetricUnit, Tracer, daemon_address

TRACE_ROOT = "1-5759e988-bd862e3fe1be46a994272793"
FUNCTION_SEGMENT = "53995c3f42cd8ad8"
SAMPLED = f"Root={TRACE_ROOT};Parent={FUNCTION_SEGMENT};Sampled=1"
ID = re.compile(r"^[0-9a-f]{16}$")
TRACE_ID = re.compile(r"^1-[0-9a-f]{8}-[0-9a-f]{24}$")


class Context:
    function_name = "meridian-test-profiles"
    memory_limit_in_mb = 256
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:meridian-test-profiles"
    aws_request_id = "lambda-request-1"


@pytest.fixture(autouse=True)
def fresh_cold_start(monkeypatch) -> None:
    monkeypatch.setattr(observability, "_cold_start", observability._ColdStart())


# -- EMF -----------------------------------------------------------------------------------
def assert_valid_emf(document: dict[str, Any]) -> None:
    """The spec's MUSTs for one EMF document."""
    metadata = document["_aws"]
    assert isinstance(metadata["Timestamp"], int)
    assert abs(metadata["Timestamp"] - time.time() * 1000) < 60_000
    assert metadata["CloudWatchMetrics"]
    for directive in metadata["CloudWatchMetrics"]:
        assert isinstance(directive["Namespace"], str)
        assert directive["Namespace"]
        assert 1 <= len(directive["Metrics"]) <= 100
        for dimension_set in directive["Dimensions"]:
            assert len(dimension_set) <= 30
            for dimension in dimension_set:
                assert isinstance(document[dimension], str)  # target members are strings
        for metric in directive["Metrics"]:
            assert set(metric) <= {"Name", "Unit", "StorageResolution"}
            value = document[metric["Name"]]
            values = value if isinstance(value, list) else [value]
            assert 1 <= len(values) <= 100
            assert all(isinstance(v, int | float) for v in values)


def emitted(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_metrics_of_an_invocation_are_one_emf_document() -> None:
    stream = io.StringIO()
    metrics = Metrics(namespace="Meridian/test", service="profiles", stream=stream)

    @metrics.log_metrics()
    def handler(event: Any, context: Any) -> str:
        metrics.add_metric(name="ProfileCreated", unit=MetricUnit.Count, value=1)
        metrics.add_metric(name="EventPublishLatency", unit=MetricUnit.Milliseconds, value=2.5)
        metrics.add_metric(name="EventPublishLatency", unit=MetricUnit.Milliseconds, value=3)
        return "ok"

    assert handler({}, Context()) == "ok"
    (document,) = emitted(stream)
    assert_valid_emf(document)
    (directive,) = document["_aws"]["CloudWatchMetrics"]
    assert directive["Namespace"] == "Meridian/test"
    assert directive["Dimensions"] == [["service"]]
    assert directive["Metrics"] == [
        {"Name": "ProfileCreated", "Unit": "Count"},
        {"Name": "EventPublishLatency", "Unit": "Milliseconds"},
    ]
    assert document["service"] == "profiles"
    assert document["ProfileCreated"] == [1.0]
    assert document["EventPublishLatency"] == [2.5, 3.0]
    assert handler({}, Context()) == "ok"  # flushed: the next invocation starts empty
    assert len(emitted(stream)) == 2


def test_the_first_invocation_emits_cold_start_as_powertools_did() -> None:
    stream = io.StringIO()
    metrics = Metrics(namespace="Meridian/test", service="profiles", stream=stream)

    @metrics.log_metrics(capture_cold_start_metric=True)
    def handler(event: Any, context: Any) -> None:
        observability._cold_start.take()  # what the logger decorator does around it

    handler({}, Context())
    handler({}, Context())
    (document,) = emitted(stream)  # no application metric: only ColdStart, only once
    assert_valid_emf(document)
    (directive,) = document["_aws"]["CloudWatchMetrics"]
    assert directive["Dimensions"] == [["function_name", "service"]]
    assert directive["Metrics"] == [{"Name": "ColdStart", "Unit": "Count"}]
    assert document["function_name"] == Context.function_name
    assert document["ColdStart"] == [1.0]


def test_more_than_100_metrics_or_values_split_into_valid_documents() -> None:
    stream = io.StringIO()
    metrics = Metrics(namespace="Meridian/test", service="profiles", stream=stream)
    for number in range(150):
        metrics.add_metric(name=f"Metric{number}", unit=MetricUnit.Count, value=1)
    for _ in range(250):
        metrics.add_metric(name="Latency", unit=MetricUnit.Milliseconds, value=1)
    metrics.flush()
    documents = emitted(stream)
    for document in documents:
        assert_valid_emf(document)
    names = [m["Name"] for d in documents for m in d["_aws"]["CloudWatchMetrics"][0]["Metrics"]]
    assert sorted(set(names)) == sorted({*(f"Metric{n}" for n in range(150)), "Latency"})
    assert sum(len(d["Latency"]) for d in documents if "Latency" in d) == 250


def test_a_metric_keeps_one_unit() -> None:
    metrics = Metrics(namespace="Meridian/test", service="profiles", stream=io.StringIO())
    metrics.add_metric(name="Latency", unit=MetricUnit.Milliseconds, value=1)
    with pytest.raises(ValueError, match="Milliseconds"):
        metrics.add_metric(name="Latency", unit=MetricUnit.Count, value=1)


# -- logs ----------------------------------------------------------------------------------
def test_log_lines_carry_the_fields_the_runbooks_query(monkeypatch) -> None:
    monkeypatch.setenv("_X_AMZN_TRACE_ID", SAMPLED)
    stream = io.StringIO()
    logger = Logger(service="profiles", stream=stream)

    @logger.inject_lambda_context(correlation_from_api_gateway=True)
    def handler(event: Any, context: Any) -> None:
        logger.info("hello", extra={"error_code": "X"})
        try:
            raise RuntimeError("boom")
        except RuntimeError:
            logger.exception("failed")
        logger.debug("not at INFO")

    handler({"requestContext": {"requestId": "apigw-1"}}, Context())
    info, error = emitted(stream)
    assert info["level"] == "INFO"
    assert info["message"] == "hello"
    assert info["request_id"] == info["correlation_id"] == "apigw-1"  # what error bodies carry
    assert info["function_request_id"] == "lambda-request-1"
    assert info["service"] == "profiles"
    assert info["cold_start"] is True
    assert info["error_code"] == "X"
    assert info["xray_trace_id"] == TRACE_ROOT
    assert info["location"].startswith("handler:")
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}\+0000", info["timestamp"])
    assert error["level"] == "ERROR"
    assert error["exception_name"] == "RuntimeError"
    assert "RuntimeError: boom" in error["exception"]
    handler({}, Context())
    later = emitted(stream)[2]
    assert later["cold_start"] is False
    assert later["request_id"] == "lambda-request-1"  # not an API Gateway event


# -- X-Ray ---------------------------------------------------------------------------------
@pytest.fixture
def daemon(monkeypatch) -> Iterator[socket.socket]:
    listener = xray_daemon_socket()
    monkeypatch.setenv("AWS_XRAY_DAEMON_ADDRESS", f"127.0.0.1:{listener.getsockname()[1]}")
    monkeypatch.delenv("POWERTOOLS_TRACE_DISABLED", raising=False)
    yield listener
    listener.close()


def assert_valid_subsegment(document: dict[str, Any]) -> None:
    assert document["type"] == "subsegment"
    assert ID.match(document["id"])
    assert ID.match(document["parent_id"])
    assert TRACE_ID.match(document["trace_id"])
    assert isinstance(document["name"], str)
    assert 0 < len(document["name"]) <= 200
    assert document["start_time"] <= document["end_time"]
    assert abs(document["start_time"] - time.time()) < 60
    assert "in_progress" not in document


def traced_client(tracer: Tracer) -> tuple[Any, Stubber]:
    client = boto3.client(
        "dynamodb",
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    tracer.instrument(client)
    return client, Stubber(client)


def test_a_sampled_invocation_sends_the_handler_and_each_sdk_call(monkeypatch, daemon) -> None:
    monkeypatch.setenv("_X_AMZN_TRACE_ID", SAMPLED)
    tracer = Tracer(service="profiles")
    client, stubber = traced_client(tracer)
    stubber.add_response(
        "get_item",
        {"ResponseMetadata": {"RequestId": "ddb-1", "HTTPStatusCode": 200, "RetryAttempts": 1}},
    )
    stubber.add_client_error("put_item", "ConditionalCheckFailedException", http_status_code=400)

    @tracer.capture_lambda_handler
    def handler(event: Any, context: Any) -> None:
        client.get_item(TableName="meridian-test", Key={"pk": {"S": "a"}})
        with pytest.raises(client.exceptions.ConditionalCheckFailedException):
            client.put_item(TableName="meridian-test", Item={"pk": {"S": "a"}})

    with stubber:
        handler({}, Context())
    get_item, put_item, handler_segment = received_segment_documents(daemon)
    for document in (get_item, put_item, handler_segment):
        assert_valid_subsegment(document)
        assert document["trace_id"] == TRACE_ROOT
    assert handler_segment["name"] == "## handler"
    assert handler_segment["parent_id"] == FUNCTION_SEGMENT
    assert handler_segment["annotations"] == {"ColdStart": True, "Service": "profiles"}
    assert "metadata" not in handler_segment  # never the response
    assert get_item["parent_id"] == put_item["parent_id"] == handler_segment["id"]
    assert get_item["name"] == "dynamodb"
    assert get_item["namespace"] == "aws"
    assert get_item["aws"] == {
        "operation": "GetItem",
        "region": "us-east-1",
        "table_name": "meridian-test",
        "request_id": "ddb-1",
        "retries": 1,
    }
    assert get_item["http"] == {"response": {"status": 200}}
    assert "error" not in get_item
    assert "fault" not in get_item
    assert put_item["error"] is True
    assert "fault" not in put_item
    (cause,) = put_item["cause"]["exceptions"]
    assert cause["type"] == "ConditionalCheckFailedException"
    assert ID.match(cause["id"])


def test_a_handler_error_is_a_fault_with_its_cause(monkeypatch, daemon) -> None:
    monkeypatch.setenv("_X_AMZN_TRACE_ID", SAMPLED)
    tracer = Tracer(service="profiles")

    @tracer.capture_lambda_handler
    def handler(event: Any, context: Any) -> None:
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        handler({}, Context())
    (document,) = received_segment_documents(daemon)
    assert_valid_subsegment(document)
    assert document["fault"] is True
    assert document["cause"]["exceptions"][0]["type"] == "RuntimeError"
    assert document["metadata"] == {"profiles": {"handler error": "RuntimeError('boom')"}}


@pytest.mark.parametrize(
    "header", ["", f"Root={TRACE_ROOT};Parent={FUNCTION_SEGMENT};Sampled=0", "garbage"]
)
def test_an_unsampled_invocation_sends_nothing(monkeypatch, daemon, header) -> None:
    monkeypatch.setenv("_X_AMZN_TRACE_ID", header)
    tracer = Tracer(service="profiles")
    client, stubber = traced_client(tracer)
    stubber.add_response("get_item", {})

    @tracer.capture_lambda_handler
    def handler(event: Any, context: Any) -> None:
        client.get_item(TableName="meridian-test", Key={"pk": {"S": "a"}})

    with stubber:
        handler({}, Context())
    assert received_segment_documents(daemon) == []


def test_tracing_can_be_switched_off(monkeypatch, daemon) -> None:
    monkeypatch.setenv("_X_AMZN_TRACE_ID", SAMPLED)
    monkeypatch.setenv("POWERTOOLS_TRACE_DISABLED", "1")
    tracer = Tracer(service="profiles")

    @tracer.capture_lambda_handler
    def handler(event: Any, context: Any) -> None:
        pass

    handler({}, Context())
    assert received_segment_documents(daemon) == []


def test_no_daemon_never_fails_a_request(monkeypatch) -> None:
    monkeypatch.setenv("_X_AMZN_TRACE_ID", SAMPLED)
    monkeypatch.setenv("AWS_XRAY_DAEMON_ADDRESS", "127.0.0.1:9")  # nothing listens
    monkeypatch.delenv("POWERTOOLS_TRACE_DISABLED", raising=False)
    tracer = Tracer(service="profiles")

    @tracer.capture_lambda_handler
    def handler(event: Any, context: Any) -> str:
        return "ok"

    assert handler({}, Context()) == "ok"
    assert handler({}, Context()) == "ok"


@pytest.mark.parametrize(
    ("value", "address"),
    [
        (None, ("127.0.0.1", 2000)),
        ("169.254.79.129:2000", ("169.254.79.129", 2000)),
        ("tcp:127.0.0.1:2000 udp:127.0.0.2:2001", ("127.0.0.2", 2001)),
    ],
)
def test_daemon_address_forms(value, address) -> None:
    assert daemon_address(value) == address
