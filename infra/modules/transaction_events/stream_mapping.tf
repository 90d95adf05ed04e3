# This region's stream → the publisher. Failure handling, in order (docs/operations.md):
# - a record that fails is reported in batchItemFailures (ReportBatchItemFailures); Lambda
#   retries from it, and bisects the batch when the whole invocation fails;
# - after maximum_retry_attempts or maximum_record_age_in_seconds the failed records' invocation
#   record goes to the failure queue and the shard moves on (a poison record never blocks it);
# https://docs.aws.amazon.com/lambda/latest/dg/services-ddb-batchfailurereporting.html
# https://docs.aws.amazon.com/lambda/latest/dg/services-dynamodb-errors.html
# TRIM_HORIZON: a mapping created (or re-created) after writes already happened still publishes
# them, where LATEST would silently skip them; the price is a replay of up to 24 h of records on
# re-creation, which subscribers absorb by deduplicating on event_id.
resource "aws_lambda_event_source_mapping" "stream" {
  event_source_arn                   = var.stream_arn
  function_name                      = var.publisher_function_arn
  starting_position                  = "TRIM_HORIZON"
  batch_size                         = var.batch_size
  maximum_batching_window_in_seconds = var.maximum_batching_window_seconds
  parallelization_factor             = var.parallelization_factor
  bisect_batch_on_function_error     = true
  maximum_retry_attempts             = var.maximum_retry_attempts
  maximum_record_age_in_seconds      = var.maximum_record_age_seconds
  function_response_types            = ["ReportBatchItemFailures"]

  filter_criteria {
    filter {
      pattern = jsonencode(local.filter_pattern)
    }
  }

  destination_config {
    on_failure {
      destination_arn = aws_sqs_queue.failure.arn
    }
  }
}
