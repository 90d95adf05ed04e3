"""SNS -> SQS delivery as AWS authorises it (moto delivers to every subscribed queue).

On AWS, SNS delivers to an SQS subscription as the service principal ``sns.amazonaws.com``:

* the queue's policy must allow it ``sqs:SendMessage`` (usually with ``aws:SourceArn`` = the topic)
  (https://docs.aws.amazon.com/sns/latest/dg/subscribe-sqs-queue-to-sns-topic.html);
* an SSE-KMS queue's key policy must allow the service ``kms:GenerateDataKey*`` and ``kms:Decrypt``,
  and the AWS managed key ``alias/aws/sqs`` cannot be used
  (https://docs.aws.amazon.com/sns/latest/dg/sns-enable-encryption-for-topic-sqs-queue-subscriptions.html).

Otherwise the publish still succeeds but that queue never gets the message; it goes to the
subscription's dead-letter queue when one is set (a client-side delivery error)
(https://docs.aws.amazon.com/sns/latest/dg/sns-dead-letter-queues.html). moto 5.2.1 checks none of
it, so a missing queue or key policy would work locally and lose every event on AWS. The filler in
``delivery`` evaluates both policies (``devstack.iam.policy``) before each Publish/PublishBatch and
withholds the message from the queues AWS would not deliver to. ``sqs`` answers GetQueueAttributes
as AWS does where moto differs (``RedriveAllowPolicy``, compact ``RedrivePolicy``). ``raw_fanout``
delivers a plain Publish to raw SQS subscriptions itself: moto's ``send_message`` counts every
message of the queue, so each event cost O(queue length).
"""

from devstack.messaging.delivery import SnsDeliveryPermissions
from devstack.messaging.sqs import SqsQueueAttributes

__all__ = ["SnsDeliveryPermissions", "SqsQueueAttributes"]
