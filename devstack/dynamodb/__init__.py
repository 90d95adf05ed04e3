"""DynamoDB global-table data plane of the devstack: asynchronous replication and the TTL sweeper.

* :mod:`devstack.dynamodb.replication`: writes are applied in the region that took them, then
  queued per (source, target) link and applied to the other replicas after a delay, in commit
  order, last writer wins; a region can be isolated and caught up.
* :mod:`devstack.dynamodb.ttl`: expired items stay until a periodic sweeper deletes them; the
  deletes replicate like any other write.
* :mod:`devstack.dynamodb.control`: the ``/_devstack/replication`` control endpoint.
* :mod:`devstack.dynamodb.idempotency`: TransactWriteItems' ``ClientRequestToken`` (the same
  request again within 10 minutes is answered, not applied; moto ignores the token).

The table-level part (replica create/delete, ``Replicas`` in DescribeTable) stays in the gap
filler ``devstack.fillers.dynamodb``, which hands every successful write to the replicator.
"""
