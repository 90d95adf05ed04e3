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
