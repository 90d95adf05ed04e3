"""The SNS Publish/PublishBatch filler: only queues whose policies let SNS in get the message."""

from __future__ import annotations

import json
import logging
import threading
from typing import Any
from urllib.parse import parse_qsl

from moto.kms.models import kms_backends
from moto.sns.models import sns_backends
from moto.sqs.models import sqs_backends

from devstack.fillers import Forward
from devstack.iam.policy import AuthzRequest, Decision, Policy, Principal, evaluate
from devstack.messaging.raw_fanout import publish_raw
from devstack.wsgi import AwsRequest, Response

LOGGER = logging.getLogger("devstack.messaging")
SNS = Principal(service="sns.amazonaws.com")
AWS_MANAGED_SQS_KEY = "alias/aws/sqs"


class SnsDeliveryPermissions:
    def __init__(self, account_id: str) -> None:
        self.account_id = account_id
        # Withholding swaps subscriptions out of moto's backend for one publish at a time.
        self._lock = threading.Lock()

    def handle(self, request: AwsRequest, forward: Forward) -> Response | None:
        if request.service != "sns" or not request.region:
            return None
        form = parse_qsl(request.body.decode("utf-8", "replace"), keep_blank_values=True)
        fields = {name: value for name, value in form if value}
        if fields.get("Action") not in ("Publish", "PublishBatch"):
            return None
        topic_arn = fields.get("TopicArn", "")
        backend = sns_backends[self.account_id][request.region]
        # Every subscription a raw SQS one SNS may deliver to: answered without moto's
        # O(queue length) send_message (devstack.messaging.raw_fanout). Under the lock: while
        # another publish withholds a refused subscription below, the topic must not look as if
        # it had only deliverable ones (that message's DLQ copy would be lost).
        with self._lock:
            published = publish_raw(backend, form, self.refusal)
        if published is not None:
            return published
        refused: dict[str, tuple[Any, str]] = {}
        for arn, subscription in list(backend.subscriptions.items()):
            if subscription.protocol != "sqs" or subscription.topic.arn != topic_arn:
                continue
            reason = self.refusal(topic_arn, str(subscription.endpoint))
            if reason is not None:
                refused[arn] = (subscription, reason)
        if not refused:
            return None
        with self._lock:
            for arn in refused:
                backend.subscriptions.pop(arn, None)
            try:
                response = forward(request)
            finally:
                for arn, (subscription, _) in refused.items():
                    backend.subscriptions[arn] = subscription
        if response.status < 300:
            for subscription, reason in refused.values():
                LOGGER.warning(
                    "SNS did not deliver %s to %s: %s", topic_arn, subscription.endpoint, reason
                )
                self._to_dead_letter_queue(subscription, fields, reason)
        return response

    def refusal(self, topic_arn: str, queue_arn: str) -> str | None:
        """Why SNS may not deliver from this topic to this queue, or None when it may."""
        parts = queue_arn.split(":")
        if len(parts) < 6:
            return f"{queue_arn} is not a queue ARN"
        region, account, name = parts[3], parts[4], parts[5]
        queue = sqs_backends[account][region].queues.get(name)
        if queue is None:
            return f"queue {queue_arn} does not exist"
        context = {"aws:SourceArn": [topic_arn], "aws:SourceAccount": [self.account_id]}
        policy_text = queue.policy
        policy = Policy.parse("queue policy", policy_text) if policy_text else None
        send = AuthzRequest("sqs:SendMessage", queue_arn, SNS, context)
        if policy is None or evaluate(send, [], policy) is not Decision.ALLOW:
            return (
                "the queue policy does not allow sns.amazonaws.com sqs:SendMessage from the topic"
            )
        key_id = getattr(queue, "kms_master_key_id", None)
        if key_id:
            return self._key_refusal(region, account, str(key_id), context)
        return None

    def _key_refusal(
        self, region: str, account: str, key_id: str, context: dict[str, list[str]]
    ) -> str | None:
        if key_id in (AWS_MANAGED_SQS_KEY, f"arn:aws:kms:{region}:{account}:{AWS_MANAGED_SQS_KEY}"):
            return "the queue is encrypted with the AWS managed key alias/aws/sqs"
        kms = kms_backends[account][region]
        try:
            key = kms.describe_key(key_id)
        except Exception:  # moto's NotFoundException
            return f"the queue's KMS key {key_id} does not exist"
        policy = Policy.parse("key policy", key.policy)
        for action in ("kms:GenerateDataKey", "kms:Decrypt"):
            needed = AuthzRequest(action, str(key.arn), SNS, context)
            if evaluate(needed, [], policy) is not Decision.ALLOW:
                return f"the queue's key policy does not allow sns.amazonaws.com {action}"
        return None

    def _to_dead_letter_queue(self, subscription: Any, fields: dict[str, str], reason: str) -> None:  # noqa: ANN401
        redrive = subscription.attributes.get("RedrivePolicy")
        if not redrive:
            return
        try:
            target = str(json.loads(redrive)["deadLetterTargetArn"])
            parts = target.split(":")
            messages = [value for key, value in fields.items() if key == "Message"] or [
                value for key, value in sorted(fields.items()) if key.endswith(".Message")
            ]
            for message in messages:
                sqs_backends[parts[4]][parts[3]].send_message(parts[5], message)
        except Exception:
            LOGGER.exception("could not move the undelivered message to the DLQ (%s)", reason)
