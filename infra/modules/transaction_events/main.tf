# Transaction events (issue 14, contract F), one instance per region: this region's DynamoDB
# stream → the publisher function → this region's SNS topic → the reference subscriber queue.
# Each region publishes only the transactions written in it (the filter criteria below), so the
# two instances together publish every transaction once, whichever region took it.
data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  region     = data.aws_region.current.name
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition

  function_key  = "transaction_events"
  function_name = "${var.name}-${local.function_key}"
  # A Standard topic (docs/architecture.md, "Transaction events": throughput, subscriber types,
  # and FIFO's 5-minute deduplication window being shorter than our retry horizon).
  topic_name = "${var.name}-transaction-events"

  # The same namespace as the API functions (modules/regional_api): one per stack.
  metrics_namespace = "Meridian/${var.name}"

  # Every replica has its own stream, named table/<name>/stream/<label>; this region's only.
  table_arn = "arn:${local.partition}:dynamodb:${local.region}:${local.account_id}:table/${var.table_name}"

  # Contract E: only INSERTs of TXN# items whose written_region is this region reach the
  # function. Replicated copies (written_region = the other region), profile/session/guard items,
  # the erasure's MODIFYs and TTL REMOVEs never invoke it (and are not billed as invocations).
  # https://docs.aws.amazon.com/lambda/latest/dg/with-ddb-filtering.html
  # https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventfiltering.html#filtering-syntax
  filter_pattern = {
    eventName = ["INSERT"]
    dynamodb = {
      Keys     = { sk = { S = [{ prefix = "TXN#" }] } }
      NewImage = { written_region = { S = [local.region] } }
    }
  }
}
