"""SQS ``RedriveAllowPolicy`` read back (moto 5.2.1 stores it on Create/SetQueueAttributes but
GetQueueAttributes refuses the name, and ``All`` omits it).

AWS returns the dead-letter queue's ``RedriveAllowPolicy`` among the queue attributes
(https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_GetQueueAttributes.html);
Terraform's ``aws_sqs_queue_redrive_allow_policy`` waits until it reads back. An empty value
removes it. Only the JSON protocol (what current SDKs and Terraform send) is handled.
"""

from __future__ import annotations

import json
from typing import Any

from moto.sqs.models import sqs_backends

from devstack.fillers import Forward
from devstack.wsgi import AwsRequest, Response

NAME = "RedriveAllowPolicy"


class SqsRedriveAllowPolicy:
    def __init__(self, account_id: str) -> None:
        self.account_id = account_id

    def handle(self, request: AwsRequest, forward: Forward) -> Response | None:
        if request.service != "sqs" or not request.region or request.target != "GetQueueAttributes":
            return None
        document = request.json()
        names = [str(n) for n in document.get("AttributeNames") or []]
        if NAME not in names and "All" not in names:
            return None
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
        headers = [(k, v) for k, v in response.headers if k.lower() != "content-length"]
        return Response(response.status, headers, json.dumps(answer).encode())

    def _policy(self, region: str, queue_url: str) -> str | None:
        name = queue_url.rstrip("/").rsplit("/", 1)[-1]
        queue = sqs_backends[self.account_id][region].queues.get(name)
        value = getattr(queue, "redrive_allow_policy", None) if queue is not None else None
        return str(value) if value else None
