"""SNS Publish to raw-delivery SQS subscriptions at a cost that does not grow with the queues.

moto 5.2.1 delivers each message to a queue through ``SQSBackend.send_message``, which reads
``Queue.attributes`` to learn whether the queue deduplicates by content. That property computes
every queue attribute, among them ``ApproximateNumberOfMessages``, ``...NotVisible`` and
``...Delayed``: three passes over every message the queue holds, with a timestamp conversion per
message and pass. The reference subscriber queue is never drained on the devstack, so every
``transaction.created`` event cost O(queue length): a fifth of the emulator's CPU per
``POST /v1/transactions`` after a few benchmark runs (issue 15).

:func:`publish_raw` answers the common Publish itself: a standard topic whose subscriptions are
all raw-delivery SQS subscriptions to standard queues that SNS may deliver to (the caller checks
the queue and key policies), a plain ``Message`` (no ``Subject``, ``MessageStructure``, group or
deduplication id, phone number or target ARN) with at most 10 String/Number message attributes.
It does what moto's ``Subscription.publish`` and ``send_message`` do for such a message, with
moto's public model API: the subscription's filter policy (moto's ``FilterPolicyMatcher``), the
message attributes as raw delivery hands them to SQS (``DataType`` and ``StringValue``), a new
``moto.sqs.models.Message`` marked sent with the queue's delay, appended with
``Queue.add_message``; the topic's ``sent_notifications`` as moto keeps them. Anything else
answers None, and moto publishes it as before.

AWS sources: raw delivery hands the body as is and the message attributes to SQS
(https://docs.aws.amazon.com/sns/latest/dg/sns-large-payload-raw-message-delivery.html), at most
10 attributes with raw delivery (https://docs.aws.amazon.com/sns/latest/dg/SNSMessageAttributes.html;
more are left to moto), a subscription gets only what its filter policy matches
(https://docs.aws.amazon.com/sns/latest/dg/sns-subscription-filter-policies.html), and the SQS
queue's ``DelaySeconds`` applies to what SNS sends
(https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-delay-queues.html).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from moto.sns.models import MAXIMUM_MESSAGE_LENGTH, SNSBackend
from moto.sns.utils import FilterPolicyMatcher
from moto.sqs.models import Message, Queue, sqs_backends

from devstack.wsgi import Response, moto_request_id

# The Publish fields this path understands; any other field (Subject, MessageStructure,
# MessageGroupId, TargetArn, PhoneNumber, ...) leaves the request to moto.
_PLAIN_FIELDS = frozenset({"Action", "Version", "TopicArn", "Message"})
_ATTRIBUTE_PREFIX = "MessageAttributes.entry."
_ATTRIBUTE_PARTS = frozenset({"Name", "Value.DataType", "Value.StringValue"})
MAX_RAW_ATTRIBUTES = 10
_XMLNS = "http://sns.amazonaws.com/doc/2010-03-31/"

Refusal = Callable[[str, str], str | None]  # (topic ARN, queue ARN) -> why SNS may not deliver


def publish_raw(
    backend: SNSBackend, fields: Sequence[tuple[str, str]], refusal: Refusal
) -> Response | None:
    """Publish ``fields`` (a Publish request's form) to raw SQS subscriptions, or None."""
    names = {name for name, _ in fields}
    attribute_fields = {name for name in names if name.startswith(_ATTRIBUTE_PREFIX)}
    if not names - attribute_fields <= _PLAIN_FIELDS:
        return None
    form = dict(fields)
    topic_arn, message = form.get("TopicArn"), form.get("Message")
    if form.get("Action") != "Publish" or not topic_arn or not message:
        return None
    if len(message) > MAXIMUM_MESSAGE_LENGTH:
        return None
    attributes = _message_attributes(form, attribute_fields)
    if attributes is None:
        return None
    found = _raw_targets(backend, topic_arn, len(message), refusal)
    if found is None:
        return None
    topic, targets = found
    message_id = str(uuid.uuid4())
    raw_attributes = {
        name: {"DataType": value["Type"], "StringValue": value["Value"]}
        for name, value in attributes.items()
    }
    for subscription, queue in targets:
        if not _matches(subscription.attributes, attributes, message):
            continue
        sqs_message = Message(str(uuid.uuid4()), message)
        if raw_attributes:
            sqs_message.message_attributes = {k: dict(v) for k, v in raw_attributes.items()}
        # moto sets the queue's attributes (DelaySeconds, MaximumMessageSize) as attributes of it.
        sqs_message.mark_sent(delay_seconds=int(getattr(queue, "delay_seconds", 0) or 0))
        queue.add_message(sqs_message)
    topic.sent_notifications.append((message_id, message, None, attributes, None))
    return _answer(message_id)


def _message_attributes(
    form: Mapping[str, str], attribute_fields: set[str]
) -> dict[str, dict[str, str]] | None:
    """The attributes as moto's SNS keeps them ({name: {"Type", "Value"}}), or None when one is
    not a plain, valid String/Number attribute (moto answers those, errors included)."""
    entries: dict[str, dict[str, str]] = {}
    for field in attribute_fields:
        index, _, part = field[len(_ATTRIBUTE_PREFIX) :].partition(".")
        if part not in _ATTRIBUTE_PARTS:
            return None
        entries.setdefault(index, {})[part] = form[field]
    if len(entries) > MAX_RAW_ATTRIBUTES:
        return None
    attributes: dict[str, dict[str, str]] = {}
    for entry in entries.values():
        if set(entry) != _ATTRIBUTE_PARTS:
            return None
        name, data_type, value = entry["Name"], entry["Value.DataType"], entry["Value.StringValue"]
        if not name or name in attributes or data_type not in ("String", "Number") or not value:
            return None
        if data_type == "Number" and not _is_number(value):
            return None
        attributes[name] = {"Type": data_type, "Value": value}
    return attributes


def _is_number(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True


def _raw_targets(
    backend: SNSBackend, topic_arn: str, length: int, refusal: Refusal
) -> tuple[Any, list[tuple[Any, Queue]]] | None:
    """The topic and (subscription, queue) for each of its subscriptions, or None unless each
    is a raw SQS subscription to a standard queue SNS may deliver to that takes a message this
    long."""
    try:
        topic = backend.get_topic(topic_arn)
        subscriptions, next_token = backend.list_subscriptions_by_topic(topic_arn)
    except Exception:  # moto's NotFound: its own answer
        return None
    if topic.fifo_topic or next_token is not None:
        return None
    targets: list[tuple[Any, Queue]] = []
    for subscription in subscriptions:
        raw = subscription.attributes.get("RawMessageDelivery")
        if subscription.protocol != "sqs" or not (raw is True or str(raw).lower() == "true"):
            return None
        endpoint = str(subscription.endpoint)
        if refusal(topic_arn, endpoint) is not None:
            return None
        parts = endpoint.split(":")
        queue = sqs_backends[parts[4]][parts[3]].queues.get(parts[5])
        if (
            queue is None
            or queue.fifo_queue
            or length > int(getattr(queue, "maximum_message_size", 0))
        ):
            return None
        targets.append((subscription, queue))
    return topic, targets


def _matches(
    subscription_attributes: Mapping[str, Any], attributes: dict[str, Any], message: str
) -> bool:
    policy = subscription_attributes.get("FilterPolicy")
    if not policy:
        return True
    scope = subscription_attributes.get("FilterPolicyScope")
    matcher = FilterPolicyMatcher(json.loads(policy), str(scope) if scope else None)
    return bool(matcher.matches(attributes, message))


def _answer(message_id: str) -> Response:
    request_id = moto_request_id()
    body = (
        f'<PublishResponse xmlns="{_XMLNS}"><PublishResult><MessageId>{message_id}</MessageId>'
        f"</PublishResult><ResponseMetadata><RequestId>{request_id}</RequestId>"
        "</ResponseMetadata></PublishResponse>"
    )
    return Response(
        200, [("Content-Type", "text/xml"), ("x-amzn-requestid", request_id)], body.encode()
    )
