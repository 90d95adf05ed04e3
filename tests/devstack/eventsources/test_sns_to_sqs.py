"""SNS -> SQS delivery as the transaction events publisher relies on it (issue 14, contract F).

What moto 5.2.1 does here is checked against AWS's documented behaviour: raw message delivery
with message attributes, subscription filter policies (attributes and body), PublishBatch,
KMS-encrypted topics and queues, and FIFO topics' deduplication window.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError
from es_support import PRIMARY, Emulator, allow_sns, create_queue, receive_all
from moto.sns.models import sns_backends
from moto.sqs.models import Message as SqsMessage

ATTRIBUTES = {
    "event_type": {"DataType": "String", "StringValue": "transaction.created"},
    "currency": {"DataType": "String", "StringValue": "EUR"},
    "type": {"DataType": "String", "StringValue": "debit"},
}


def subscribed_queue(emulator: Emulator, topic_arn: str, name: str, **attributes: str) -> str:
    url, arn = create_queue(emulator, name)
    allow_sns(emulator, url, arn, topic_arn)
    emulator.client("sns").subscribe(
        TopicArn=topic_arn, Protocol="sqs", Endpoint=arn, Attributes=attributes
    )
    return url


def test_raw_delivery_carries_the_body_and_message_attributes(
    emulator: Emulator, name: str
) -> None:
    sns = emulator.client("sns")
    topic = sns.create_topic(Name=f"{name}-raw")["TopicArn"]
    url = subscribed_queue(emulator, topic, f"{name}-raw", RawMessageDelivery="true")
    sns.publish(
        TopicArn=topic,
        Message='{"event_type": "transaction.created"}',
        MessageAttributes=ATTRIBUTES,
    )
    (message,) = receive_all(emulator, url)
    assert json.loads(message["Body"]) == {"event_type": "transaction.created"}
    assert message["MessageAttributes"]["currency"] == {
        "DataType": "String",
        "StringValue": "EUR",
    }


def test_attribute_filter_policy_delivers_only_matching_messages(
    emulator: Emulator, name: str
) -> None:
    sns = emulator.client("sns")
    topic = sns.create_topic(Name=f"{name}-filter")["TopicArn"]
    url = subscribed_queue(
        emulator,
        topic,
        f"{name}-filter",
        RawMessageDelivery="true",
        FilterPolicy=json.dumps({"event_type": ["transaction.created"], "currency": ["EUR"]}),
    )
    usd = dict(ATTRIBUTES, currency={"DataType": "String", "StringValue": "USD"})
    sns.publish(TopicArn=topic, Message="usd", MessageAttributes=usd)
    sns.publish(TopicArn=topic, Message="eur", MessageAttributes=ATTRIBUTES)
    sns.publish(TopicArn=topic, Message="no attributes")
    assert [m["Body"] for m in receive_all(emulator, url)] == ["eur"]


def test_body_filter_policy_scope(emulator: Emulator, name: str) -> None:
    sns = emulator.client("sns")
    topic = sns.create_topic(Name=f"{name}-body")["TopicArn"]
    url = subscribed_queue(
        emulator,
        topic,
        f"{name}-body",
        RawMessageDelivery="true",
        FilterPolicyScope="MessageBody",
        FilterPolicy=json.dumps({"data": {"currency": ["EUR"]}}),
    )
    sns.publish(TopicArn=topic, Message=json.dumps({"data": {"currency": "USD"}}))
    sns.publish(TopicArn=topic, Message=json.dumps({"data": {"currency": "EUR"}}))
    bodies = [json.loads(m["Body"]) for m in receive_all(emulator, url)]
    assert bodies == [{"data": {"currency": "EUR"}}]


def test_publish_batch_delivers_every_entry_with_its_attributes(
    emulator: Emulator, name: str
) -> None:
    sns = emulator.client("sns")
    topic = sns.create_topic(Name=f"{name}-batch")["TopicArn"]
    url = subscribed_queue(emulator, topic, f"{name}-batch", RawMessageDelivery="true")
    answer = sns.publish_batch(
        TopicArn=topic,
        PublishBatchRequestEntries=[
            {"Id": str(i), "Message": f"m{i}", "MessageAttributes": ATTRIBUTES} for i in range(3)
        ],
    )
    assert len(answer["Successful"]) == 3
    messages = receive_all(emulator, url)
    assert sorted(m["Body"] for m in messages) == ["m0", "m1", "m2"]
    assert all(m["MessageAttributes"]["type"]["StringValue"] == "debit" for m in messages)


def sns_key_policy(account: str = "123456789012") -> str:
    """A key policy that lets the account administer the key and SNS use it for the queue
    (https://docs.aws.amazon.com/sns/latest/dg/sns-enable-encryption-for-topic-sqs-queue-subscriptions.html)."""
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
                    "Action": "kms:*",
                    "Resource": "*",
                },
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "sns.amazonaws.com"},
                    "Action": ["kms:GenerateDataKey*", "kms:Decrypt"],
                    "Resource": "*",
                },
            ],
        }
    )


def kms_queue(emulator: Emulator, name: str, key: str, topic: str) -> str:
    sqs = emulator.client("sqs")
    url = sqs.create_queue(QueueName=name, Attributes={"KmsMasterKeyId": key})["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    allow_sns(emulator, url, arn, topic)
    emulator.client("sns").subscribe(
        TopicArn=topic, Protocol="sqs", Endpoint=arn, Attributes={"RawMessageDelivery": "true"}
    )
    return str(url)


def test_kms_encrypted_topic_and_queue_still_deliver(emulator: Emulator, name: str) -> None:
    key = emulator.client("kms").create_key(Policy=sns_key_policy())["KeyMetadata"]["Arn"]
    sns = emulator.client("sns")
    topic = sns.create_topic(Name=f"{name}-kms", Attributes={"KmsMasterKeyId": key})["TopicArn"]
    assert sns.get_topic_attributes(TopicArn=topic)["Attributes"]["KmsMasterKeyId"] == key
    url = kms_queue(emulator, f"{name}-kms", key, topic)
    sns.publish(TopicArn=topic, Message="secret")
    assert [m["Body"] for m in receive_all(emulator, url)] == ["secret"]


def test_fifo_topic_deduplicates_within_the_window(emulator: Emulator, name: str) -> None:
    sns = emulator.client("sns")
    topic = sns.create_topic(Name=f"{name}-events.fifo", Attributes={"FifoTopic": "true"})[
        "TopicArn"
    ]
    sqs = emulator.client("sqs")
    url = sqs.create_queue(QueueName=f"{name}-sub.fifo", Attributes={"FifoQueue": "true"})[
        "QueueUrl"
    ]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    allow_sns(emulator, url, arn, topic)
    sns.subscribe(
        TopicArn=topic, Protocol="sqs", Endpoint=arn, Attributes={"RawMessageDelivery": "true"}
    )
    for _ in range(2):
        sns.publish(
            TopicArn=topic,
            Message="once",
            MessageGroupId="owner-1",
            MessageDeduplicationId="event-1",
        )
    sns.publish_batch(
        TopicArn=topic,
        PublishBatchRequestEntries=[
            {
                "Id": "a",
                "Message": "once",
                "MessageGroupId": "owner-1",
                "MessageDeduplicationId": "event-1",
            },
            {
                "Id": "b",
                "Message": "twice",
                "MessageGroupId": "owner-1",
                "MessageDeduplicationId": "event-2",
            },
        ],
    )
    bodies = [m["Body"] for m in receive_all(emulator, url)]
    assert bodies == ["once", "twice"]


def test_sns_fault_is_a_503_service_unavailable_in_the_query_protocol(
    emulator: Emulator, name: str
) -> None:
    """botocore must see an SNS-shaped (XML) error, so the publisher's SDK raises a ClientError
    it can retry or report, as with a real SNS outage."""
    sns = emulator.client("sns", PRIMARY)
    topic = sns.create_topic(Name=f"{name}-fault")["TopicArn"]
    emulator.app.faults.add("sns", PRIMARY)
    try:
        with pytest.raises(ClientError) as raised:
            sns.publish(TopicArn=topic, Message="x")
    finally:
        emulator.app.faults.clear()
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 503
    assert raised.value.response["Error"]["Code"] == "ServiceUnavailable"


def test_no_delivery_without_a_queue_policy_for_the_topic_the_dlq_gets_it(
    emulator: Emulator, name: str
) -> None:
    sns = emulator.client("sns")
    topic = sns.create_topic(Name=f"{name}-nopolicy")["TopicArn"]
    other_topic = sns.create_topic(Name=f"{name}-other")["TopicArn"]
    open_url, open_arn = create_queue(emulator, f"{name}-open")
    allow_sns(emulator, open_url, open_arn, topic)
    closed_url, closed_arn = create_queue(emulator, f"{name}-closed")
    wrong_url, wrong_arn = create_queue(emulator, f"{name}-wrong")
    allow_sns(emulator, wrong_url, wrong_arn, other_topic)  # allows another topic only
    dlq_url, dlq_arn = create_queue(emulator, f"{name}-dlq")
    allow_sns(emulator, dlq_url, dlq_arn, topic)
    for arn in (open_arn, closed_arn, wrong_arn):
        attributes = {"RawMessageDelivery": "true"}
        if arn == closed_arn:
            attributes["RedrivePolicy"] = json.dumps({"deadLetterTargetArn": dlq_arn})
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn, Attributes=attributes)
    assert sns.publish(TopicArn=topic, Message="hello")["MessageId"]
    assert [m["Body"] for m in receive_all(emulator, open_url)] == ["hello"]
    assert receive_all(emulator, closed_url) == []
    assert receive_all(emulator, wrong_url) == []
    assert [m["Body"] for m in receive_all(emulator, dlq_url)] == ["hello"]


def test_no_delivery_to_a_kms_queue_whose_key_does_not_let_sns_in(
    emulator: Emulator, name: str
) -> None:
    sns = emulator.client("sns")
    topic = sns.create_topic(Name=f"{name}-kmsdeny")["TopicArn"]
    default_key = emulator.client("kms").create_key()["KeyMetadata"]["Arn"]  # account-only policy
    denied = kms_queue(emulator, f"{name}-defaultkey", default_key, topic)
    managed = kms_queue(emulator, f"{name}-managedkey", "alias/aws/sqs", topic)
    sns.publish(TopicArn=topic, Message="hidden")
    assert receive_all(emulator, denied) == []
    assert receive_all(emulator, managed) == []


def test_redrive_allow_policy_reads_back(emulator: Emulator, name: str) -> None:
    """Terraform's aws_sqs_queue_redrive_allow_policy waits until GetQueueAttributes returns it
    (moto 5.2.1 stores the attribute but refuses it as an attribute name)."""
    sqs = emulator.client("sqs")
    source = sqs.create_queue(QueueName=f"{name}-src")["QueueUrl"]
    source_arn = sqs.get_queue_attributes(QueueUrl=source, AttributeNames=["QueueArn"])[
        "Attributes"
    ]["QueueArn"]
    dlq = sqs.create_queue(QueueName=f"{name}-dlq")["QueueUrl"]
    allow = json.dumps({"redrivePermission": "byQueue", "sourceQueueArns": [source_arn]})
    assert "RedriveAllowPolicy" not in sqs.get_queue_attributes(
        QueueUrl=dlq, AttributeNames=["All"]
    ).get("Attributes", {})
    sqs.set_queue_attributes(QueueUrl=dlq, Attributes={"RedriveAllowPolicy": allow})
    named = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["RedriveAllowPolicy"])
    assert json.loads(named["Attributes"]["RedriveAllowPolicy"]) == json.loads(allow)
    every = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["All"])["Attributes"]
    assert json.loads(every["RedriveAllowPolicy"]) == json.loads(allow)
    assert "QueueArn" in every
    sqs.set_queue_attributes(QueueUrl=dlq, Attributes={"RedriveAllowPolicy": ""})
    assert "RedriveAllowPolicy" not in sqs.get_queue_attributes(
        QueueUrl=dlq, AttributeNames=["All"]
    ).get("Attributes", {})


def test_redrive_policy_reads_back_compact_as_aws_returns_it(emulator: Emulator, name: str) -> None:
    """moto re-serialises RedrivePolicy with spaces; AWS returns compact JSON, and Terraform
    compares the strings (a whitespace-only diff on every plan otherwise)."""
    sqs = emulator.client("sqs")
    dlq = sqs.create_queue(QueueName=f"{name}-rdlq")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    sent = json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 5}, separators=(",", ":"))
    url = sqs.create_queue(QueueName=f"{name}-rsrc", Attributes={"RedrivePolicy": sent})["QueueUrl"]
    for names in (["RedrivePolicy"], ["All"]):
        attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=names)["Attributes"]
        assert attributes["RedrivePolicy"] == sent


# -- delivery cost and fidelity of the raw-delivery path (devstack.messaging.raw_fanout) ----------


def test_a_publish_does_not_read_every_message_the_queue_holds(
    emulator: Emulator, name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """moto's send_message counts the queue's messages (three passes, a clock read per message):
    each event to the never-drained subscriber queue cost O(queue length) (issue 15)."""
    sns = emulator.client("sns")
    topic = sns.create_topic(Name=f"{name}-cost")["TopicArn"]
    url = subscribed_queue(emulator, topic, f"{name}-cost", RawMessageDelivery="true")
    for batch in range(5):
        emulator.client("sqs").send_message_batch(
            QueueUrl=url,
            Entries=[{"Id": str(i), "MessageBody": f"old-{batch}-{i}"} for i in range(10)],
        )
    reads: list[str] = []
    for state in ("visible", "delayed"):
        original = getattr(SqsMessage, state)
        counted = property(lambda message, o=original, s=state: reads.append(s) or o.fget(message))
        monkeypatch.setattr(SqsMessage, state, counted)
    sns.publish(TopicArn=topic, Message="new", MessageAttributes=ATTRIBUTES)
    assert reads == []
    monkeypatch.undo()
    bodies = [m["Body"] for m in receive_all(emulator, url)]
    assert len(bodies) == 51
    assert bodies.count("new") == 1


def received(emulator: Emulator, url: str) -> list[dict[str, Any]]:
    """Every message, with what identifies one delivery (ids, receipt, times) left out."""
    sqs = emulator.client("sqs")
    answer = sqs.receive_message(
        QueueUrl=url,
        MaxNumberOfMessages=10,
        MessageAttributeNames=["All"],
        AttributeNames=["All"],
    )
    messages = answer.get("Messages", [])
    for message in messages:
        sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        for key in ("MessageId", "ReceiptHandle"):
            message.pop(key)
        for key in ("SentTimestamp", "ApproximateFirstReceiveTimestamp"):
            message["Attributes"].pop(key)
    return list(messages)


def test_raw_delivery_answers_what_motos_own_delivery_did(emulator: Emulator, name: str) -> None:
    """The same publishes through the emulator (the raw-delivery path) and through moto's SNS
    backend (its Subscription.publish and send_message) leave the same messages."""
    sns = emulator.client("sns")
    topic = sns.create_topic(Name=f"{name}-same")["TopicArn"]
    url = subscribed_queue(
        emulator,
        topic,
        f"{name}-same",
        RawMessageDelivery="true",
        FilterPolicy=json.dumps({"currency": ["EUR"], "amount": [{"numeric": [">", 10]}]}),
    )
    amount = {"DataType": "Number", "StringValue": "12.5"}
    published = [
        ("matches", dict(ATTRIBUTES, amount=amount)),
        ("too small", dict(ATTRIBUTES, amount={"DataType": "Number", "StringValue": "3"})),
        ("no attributes", {}),
    ]
    for message, attributes in published:
        answer = sns.publish(TopicArn=topic, Message=message, MessageAttributes=attributes)
        assert answer["MessageId"]
    through_emulator = received(emulator, url)
    backend = sns_backends[emulator.app.account_id][PRIMARY]
    for message, attributes in published:
        moto_form = {
            key: {"Type": value["DataType"], "Value": value["StringValue"]}
            for key, value in attributes.items()
        }
        backend.publish(message, arn=topic, message_attributes=moto_form)
    through_moto = received(emulator, url)
    assert [m["Body"] for m in through_emulator] == ["matches"]
    assert through_emulator == through_moto


def test_raw_delivery_keeps_the_queues_delay(emulator: Emulator, name: str) -> None:
    sns = emulator.client("sns")
    topic = sns.create_topic(Name=f"{name}-delay")["TopicArn"]
    sqs = emulator.client("sqs")
    url = sqs.create_queue(QueueName=f"{name}-delay", Attributes={"DelaySeconds": "30"})["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    allow_sns(emulator, url, arn, topic)
    sns.subscribe(
        TopicArn=topic, Protocol="sqs", Endpoint=arn, Attributes={"RawMessageDelivery": "true"}
    )
    sns.publish(TopicArn=topic, Message="later")
    counts = sqs.get_queue_attributes(
        QueueUrl=url, AttributeNames=["ApproximateNumberOfMessagesDelayed"]
    )["Attributes"]
    assert counts["ApproximateNumberOfMessagesDelayed"] == "1"
    assert receive_all(emulator, url) == []
