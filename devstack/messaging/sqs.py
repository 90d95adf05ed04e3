"""SQS GetQueueAttributes as AWS answers it, where moto 5.2.1 differs:

* ``RedriveAllowPolicy``: moto stores it on Create/SetQueueAttributes, but GetQueueAttributes
  refuses the name and ``All`` omits it. AWS returns it among the queue attributes
  (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_GetQueueAttributes.html);
  Terraform's ``aws_sqs_queue_redrive_allow_policy`` waits until it reads back. An empty value
  removes it.
* ``RedrivePolicy``: moto re-serialises it with spaces (``{"a": 1}``); AWS returns compact JSON,
  and Terraform compares the strings, so every plan showed a whitespace-only change.

Only the JSON protocol (what current SDKs and Terraform send) is handled.
"""

from __future__ import annotations

import json
from typing import Any

from moto.sqs.models import sqs_backends

from devstack.fillers import Forward
from devstack.wsgi import AwsRequest, Response

NAME = "RedriveAllowPolicy"


class SqsQueueAttributes:
    def __init__(self, account_id: str) -> None:
        self.account_id = account_id

    def handle(self, request: AwsRequest, forward: Forward) -> Response | None:
        if request.service != "sqs" or not request.region or request.target != "GetQueueAttributes":
            return None
        document = request.json()
        names = [str(n) for n in document.get("AttributeNames") or []]
        if NAME not in names and "All" not in names:
            return _compact_redrive_policy(forward(request))
        rest = [n for n in names if n != NAME]
        if rest:
            response = forward(
                request.with_body(json.dumps({**document, "AttributeNames": rest}).encode())
            )
            if response.status >= 300:
                return response
            answer: dict[str, Any] = response.json()
        else:
            response = Response(200, [("Content-Type", "application/x-amz-json-1.0")], b"{}")
            answer = {}
        value = self._policy(request.region, str(document.get("QueueUrl", "")))
        if value:
            answer.setdefault("Attributes", {})[NAME] = value
        return _with_body(response, _compact(answer))

    def _policy(self, region: str, queue_url: str) -> str | None:
        name = queue_url.rstrip("/").rsplit("/", 1)[-1]
        queue = sqs_backends[self.account_id][region].queues.get(name)
        value = getattr(queue, "redrive_allow_policy", None) if queue is not None else None
        return str(value) if value else None


def _compact(answer: dict[str, Any]) -> dict[str, Any]:
    attributes = answer.get("Attributes")
    if isinstance(attributes, dict) and attributes.get("RedrivePolicy"):
        try:
            parsed = json.loads(attributes["RedrivePolicy"])
        except ValueError:
            return answer
        attributes["RedrivePolicy"] = json.dumps(parsed, separators=(",", ":"))
    return answer


def _compact_redrive_policy(response: Response) -> Response:
    if response.status >= 300:
        return response
    return _with_body(response, _compact(response.json()))


def _with_body(response: Response, answer: dict[str, Any]) -> Response:
    headers = [(k, v) for k, v in response.headers if k.lower() != "content-length"]
    return Response(response.status, headers, json.dumps(answer).encode())
