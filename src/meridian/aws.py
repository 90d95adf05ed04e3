"""boto3 clients, created once per process with short timeouts so a sick dependency surfaces as a
fast 503 instead of a Lambda timeout. The DynamoDB client reads the items of its successful
GetItem, Query and UpdateItem answers straight from the JSON body (``read_items_directly``)."""

from __future__ import annotations

import functools
import json
import os
import sys
from typing import Any

import boto3  # type: ignore[import-untyped]
import botocore  # type: ignore[import-untyped]
from botocore.config import Config  # type: ignore[import-untyped]

from meridian.observability import tracer

# The User-Agent, made once at cold start. botocore's default one is rebuilt twice per API call
# (SDK, OS, language, execution environment, config and feature ids, each component sanitised
# character by character): measured in-process, a GetItem cost 0.85 ms of CPU with it and
# 0.58 ms with a fixed one (bench/findings.md), and a 512 MB function has ~0.29 of a vCPU.
# ``user_agent`` is botocore's Config option for "the value to use in the User-Agent header"
# (botocore/config.py). Kept: the SDK and its version, the language, the Lambda runtime and our
# app id; left out: the per-call feature ids (``m/...``), which only feed AWS's SDK statistics.
USER_AGENT = " ".join(
    part
    for part in (
        f"Boto3/{boto3.__version__}",
        f"md/Botocore#{botocore.__version__}",
        "ua/2.1",
        "lang/python#{}.{}.{}".format(*sys.version_info[:3]),
        f"exec-env/{os.environ['AWS_EXECUTION_ENV']}" if "AWS_EXECUTION_ENV" in os.environ else "",
        "app/meridian",
    )
    if part
)

CLIENT_CONFIG = Config(
    connect_timeout=1,
    read_timeout=3,
    retries={"max_attempts": 2, "mode": "standard"},
    user_agent=USER_AGENT,
)


@functools.cache
def _cached_client(service_name: str) -> Any:  # noqa: ANN401
    # Every AWS SDK call of a function goes through these clients: each gets its X-Ray subsegment.
    new_client = boto3.client(service_name, config=CLIENT_CONFIG)
    if service_name == "dynamodb":
        read_items_directly(new_client)
    return tracer.instrument(new_client)


def client(service_name: str) -> Any:  # noqa: ANN401 - boto3 clients are dynamically typed
    """The process-wide client for ``service_name`` (endpoint and region from the environment)."""
    return _cached_client(service_name)


def reset_clients() -> None:
    """Forget the cached clients (tests swap the endpoint between cases)."""
    _cached_client.cache_clear()


# The members of a successful read answer that hold items (AttributeValue maps), per operation.
# On the wire an AttributeValue is already what botocore's parser returns (a one-key object of
# strings, lists, objects and booleans; N is a string) except binary: B and BS are base64 text on
# the wire (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_AttributeValue.html)
# and bytes after parsing. botocore's shape-directed parser walks every AttributeValue as a union
# of 10 members (most of the CPU of a 20-item Query: bench/findings.md); json.loads alone does it.
_ITEM_MEMBERS = {
    "GetItem": ("Item",),
    "Query": ("Items", "LastEvaluatedKey"),
    "UpdateItem": ("Attributes",),
}
# A conservative byte check for a binary value (a "B" or "BS" key, also spelled with \u escapes)
# or a JSON null (botocore drops null members, json.loads keeps them): such an answer goes
# through botocore's parser. A false positive (a string holding "B" or "null") only costs speed.
_PARSER_NEEDED = (b'"B"', b'"BS"', b"u0042", b"u0053", b"null")


def _take_items_from_json(
    response_dict: dict[str, Any],
    customized_response_dict: dict[str, Any],
    operation_model: Any,  # noqa: ANN401 - botocore's OperationModel
    **_kwargs: Any,  # noqa: ANN401
) -> None:
    """``before-parse`` handler: move the item members of a 2xx JSON answer into
    ``customized_response_dict`` (merged into the parsed response as is) and hand botocore's
    parser the rest of the body (counts, ConsumedCapacity...).

    botocore emits ``before-parse.<service>.<operation>`` in ``Endpoint._do_get_response``
    (botocore/endpoint.py) with the response dict it is about to parse, then does
    ``parsed_response.update(customized_response_dict)``; botocore's own handlers change the
    response dict at this event too (``_handle_200_error`` in botocore/handlers.py). Errors
    (status >= 300) are left alone: ClientError codes, CancellationReasons, the item of a failed
    condition and retries stay botocore's. The x-amz-crc32 check reads the raw HTTP body
    (``http_response.content``, botocore/retries/special.py), not this dict: it is unaffected.
    """
    if not 200 <= response_dict["status_code"] < 300:
        return
    body = response_dict["body"]
    if not body or any(marker in body for marker in _PARSER_NEEDED):
        return
    try:
        document = json.loads(body)
    except ValueError:
        return  # not JSON: botocore's parser answers it as it always has
    if not isinstance(document, dict):
        return
    for member in _ITEM_MEMBERS[operation_model.name]:
        if member in document:
            customized_response_dict[member] = document.pop(member)
    response_dict["body"] = json.dumps(document).encode()


def read_items_directly(client: Any) -> Any:  # noqa: ANN401 - a boto3 DynamoDB client
    """Let ``client``'s successful GetItem, Query and UpdateItem answers give their items
    straight from the JSON body, past botocore's parser (public event system only)."""
    for operation in _ITEM_MEMBERS:
        client.meta.events.register(f"before-parse.dynamodb.{operation}", _take_items_from_json)
    return client
