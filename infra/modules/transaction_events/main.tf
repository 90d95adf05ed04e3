# Transaction events (issue 14, contract F), one instance per region: this region's DynamoDB
# stream → the publisher function → this region's SNS topic → the reference subscriber queue.
# Each region publishes only the transactions written in it (the filter criteria below), so the
# two instances together publish every transaction once, whichever region took it.
data "aws_region" "current" {}

locals {
  region = data.aws_region.current.name

  # The publisher's Powertools service name (its function key in modules/regional_api).
  function_key = "transaction_events"
  # A Standard topic (docs/architecture.md, "Transaction events": throughput, subscriber types,
  # and FIFO's 5-minute deduplication window being shorter than our retry horizon).
  topic_name = "${var.name}-transaction-events"

  # The same namespace as the API functions (modules/regional_api): one per stack.
  metrics_namespace = "Meridian/${var.name}"

  # Contract E: only TXN# items whose written_region is this region reach the function.
  # Replicated copies (written_region = the other region), profile/session/guard items and TTL
  # REMOVEs (no NewImage) never invoke it (and are not billed as invocations).
  # The pattern names only the `dynamodb` key: "DynamoDB event source mappings only support
  # filtering on the dynamodb key" (with-ddb-filtering), so `eventName` is not in it. The rare
  # MODIFY of a transaction item (an erasure's scrub) does reach the publisher, which skips every
  # record that is not an INSERT (meridian.events.publisher).
  # https://docs.aws.amazon.com/lambda/latest/dg/with-ddb-filtering.html
  # https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventfiltering.html#filtering-syntax
  filter_pattern = {
    dynamodb = {
      Keys     = { sk = { S = [{ prefix = "TXN#" }] } }
      NewImage = { written_region = { S = [local.region] } }
    }
  }
}
