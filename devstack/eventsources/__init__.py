"""Lambda event source mappings on DynamoDB streams, run by the devstack as Lambda runs them.

moto 5.2.1 stores ``CreateEventSourceMapping`` but "runs" a DynamoDB stream mapping only by
invoking the function through Docker inside the table write (``StreamShard.add``), and empties
the shard when that invocation returns anything. The devstack has no Docker, and a stream must
keep its records, so this package detaches moto's hook (``filler.EventSourceMappingFiller``) and
runs every mapping itself (``runner.EventSourceRunner``): one poller per mapping and shard, which
reads moto's stream records, filters and batches them and invokes the deployed function through
the devstack's Lambda runtime (the same worker pools API Gateway uses).

What it reproduces, with the AWS sources (also in the fidelity table, devstack/README.md):

* Polling ~4 times a second per shard, records in order, one batch in flight per shard
  (https://docs.aws.amazon.com/lambda/latest/dg/with-ddb.html).
* ``BatchSize`` (default 100), ``MaximumBatchingWindowInSeconds`` (default 0),
  ``StartingPosition`` TRIM_HORIZON / LATEST, ``Enabled``, ``BisectBatchOnFunctionError``,
  ``MaximumRetryAttempts`` / ``MaximumRecordAgeInSeconds`` (default -1 = until the record
  expires) and ``DestinationConfig.OnFailure``
  (https://docs.aws.amazon.com/lambda/latest/dg/services-ddb-params.html).
* ``FilterCriteria``: records that match no filter are dropped, never delivered nor retried
  (https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventfiltering.html), evaluated with
  moto's EventBridge pattern matcher (``filters``).
* ``ReportBatchItemFailures``: the partial batch response's success and failure conditions, the
  checkpoint at the lowest failed sequence number, bisection at that number
  (https://docs.aws.amazon.com/lambda/latest/dg/services-ddb-batchfailurereporting.html).
* Retries, bisection not consuming the retry quota, discarding and moving on, and the invocation
  record sent to an SQS/SNS on-failure destination
  (https://docs.aws.amazon.com/lambda/latest/dg/services-dynamodb-errors.html).
"""

from devstack.eventsources.filler import EventSourceMappingFiller
from devstack.eventsources.runner import EventSourceRunner

__all__ = ["EventSourceMappingFiller", "EventSourceRunner"]
