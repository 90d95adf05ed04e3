# Transaction events (issue 14, contracts E and F): modules/transaction_events alone, so every
# resource is visible to the assertions. Sources of each rule: the module's comments and
# docs/aws-rules.md ("Transaction events").
mock_provider "aws" {
  source          = "./tests/mocks"
  override_during = plan

  mock_data "aws_region" {
    defaults = {
      name = "us-east-1"
    }
  }

  mock_resource "aws_sns_topic" {
    defaults = {
      arn = "arn:aws:sns:us-east-1:123456789012:meridian-dev-transaction-events"
    }
  }
}

variables {
  name                    = "meridian-dev"
  publisher_function_name = "meridian-dev-transaction_events"
  publisher_function_arn  = "arn:aws:lambda:us-east-1:123456789012:function:meridian-dev-transaction_events"
  publisher_role_arn      = "arn:aws:iam::123456789012:role/meridian-dev-transaction_events-us-east-1"
  kms_key_arn             = "arn:aws:kms:us-east-1:123456789012:key/mrk-00000000000000000000000000000001"
  stream_arn              = "arn:aws:dynamodb:us-east-1:123456789012:table/meridian-dev-main/stream/2026-01-01T00:00:00.000"
  alarm_topic_arn         = "arn:aws:sns:us-east-1:123456789012:meridian-dev-alarms-us-east-1"
}

run "transaction_events_with_defaults" {
  command = plan

  module {
    source = "./modules/transaction_events"
  }

  # --- the stream mapping: contract E filter, bounded retries, on-failure queue ---
  assert {
    condition = jsondecode(one(one(aws_lambda_event_source_mapping.stream.filter_criteria).filter).pattern) == {
      dynamodb = {
        Keys     = { sk = { S = [{ prefix = "TXN#" }] } }
        NewImage = { written_region = { S = ["us-east-1"] } }
      }
    }
    error_message = "the mapping must pass only TXN# items written in this region, filtering on the dynamodb key alone (contract E; AWS filters DynamoDB records on that key only)"
  }

  assert {
    condition     = aws_lambda_event_source_mapping.stream.event_source_arn == var.stream_arn && aws_lambda_event_source_mapping.stream.starting_position == "TRIM_HORIZON"
    error_message = "the mapping reads this region's stream from TRIM_HORIZON (nothing written before it exists is skipped)"
  }

  assert {
    condition     = aws_lambda_event_source_mapping.stream.bisect_batch_on_function_error == true && aws_lambda_event_source_mapping.stream.function_response_types == toset(["ReportBatchItemFailures"])
    error_message = "failed batches must be bisected and partial batch failures reported"
  }

  assert {
    condition = (
      aws_lambda_event_source_mapping.stream.maximum_retry_attempts == 10 &&
      aws_lambda_event_source_mapping.stream.maximum_record_age_in_seconds == 3600 &&
      aws_lambda_event_source_mapping.stream.batch_size == 100 &&
      aws_lambda_event_source_mapping.stream.maximum_batching_window_in_seconds == 0
    )
    error_message = "retries and record age must be bounded (never -1), batch settings from the variables"
  }

  assert {
    condition     = one(one(aws_lambda_event_source_mapping.stream.destination_config).on_failure).destination_arn == aws_sqs_queue.failure.arn
    error_message = "records that exhaust their retries must go to the failure queue"
  }

  # The publisher function itself (modules/regional_api, beside the API functions) is asserted in
  # regional_api.tftest.hcl.
  assert {
    condition     = aws_lambda_event_source_mapping.stream.function_name == var.publisher_function_arn
    error_message = "the mapping invokes this region's publisher"
  }

  # --- topic and queues: KMS, least-privilege policies ---
  assert {
    condition     = aws_sns_topic.events.name == "meridian-dev-transaction-events" && aws_sns_topic.events.kms_master_key_id == var.kms_key_arn
    error_message = "the topic must be the Standard topic <name>-transaction-events, encrypted with the stack key"
  }

  assert {
    condition = alltrue([
      for queue in [aws_sqs_queue.failure, aws_sqs_queue.subscriber, aws_sqs_queue.subscriber_dlq] : queue.kms_master_key_id == var.kms_key_arn
    ])
    error_message = "every queue must be encrypted with the stack key"
  }

  assert {
    condition = (
      aws_sqs_queue.failure.name == "meridian-dev-transaction-events-failed" &&
      aws_sqs_queue.subscriber.name == "meridian-dev-transaction-events-subscriber" &&
      jsondecode(aws_sqs_queue.subscriber.redrive_policy).deadLetterTargetArn == aws_sqs_queue.subscriber_dlq.arn &&
      jsondecode(aws_sqs_queue.subscriber.redrive_policy).maxReceiveCount == 5
    )
    error_message = "queue names follow contract F and the subscriber redrives into its own DLQ"
  }

  assert {
    condition = (
      toset(data.aws_iam_policy_document.topic.statement[0].actions) == toset(["sns:Publish"]) &&
      toset(one(data.aws_iam_policy_document.topic.statement[0].principals).identifiers) == toset([var.publisher_role_arn]) &&
      data.aws_iam_policy_document.topic.statement[1].effect == "Deny" &&
      toset(one(data.aws_iam_policy_document.topic.statement[1].condition).values) == toset([var.publisher_role_arn]) &&
      data.aws_iam_policy_document.topic.statement[2].effect == "Deny" &&
      one(data.aws_iam_policy_document.topic.statement[2].condition).variable == "sns:Endpoint" &&
      toset(one(data.aws_iam_policy_document.topic.statement[2].condition).values) == toset([aws_sqs_queue.subscriber.arn])
    )
    error_message = "only the publisher role publishes, and only the reference queue may be subscribed"
  }

  assert {
    condition = (
      toset(one(data.aws_iam_policy_document.subscriber.statement).actions) == toset(["sqs:SendMessage"]) &&
      toset(one(one(data.aws_iam_policy_document.subscriber.statement).principals).identifiers) == toset(["sns.amazonaws.com"]) &&
      one(one(data.aws_iam_policy_document.subscriber.statement).condition).variable == "aws:SourceArn" &&
      toset(one(one(data.aws_iam_policy_document.subscriber.statement).condition).values) == toset([aws_sns_topic.events.arn])
    )
    error_message = "only this topic may send to the subscriber queue"
  }

  # The policy is created with the queue (CreateQueue's Policy attribute), not by a separate
  # aws_sqs_queue_policy: each SQS resource waits for 6 equal reads 5 s apart, so a separate
  # policy resource added 25 s to the critical path of every apply (docs/aws-rules.md). The
  # rendered document is only known at apply (it reads the topic's ARN); that the queue delivers
  # only the topic's events is proven end to end (tests/e2e/test_e2e_transaction_events.py).
  assert {
    condition = (
      toset(one(data.aws_iam_policy_document.subscriber.statement).resources) == toset(["arn:aws:sqs:us-east-1:123456789012:meridian-dev-transaction-events-subscriber"])
    )
    error_message = "the subscriber queue carries its own policy, naming the queue's own ARN (built from its name: the queue cannot reference its own arn attribute)"
  }

  assert {
    condition = (
      aws_sns_topic_subscription.subscriber.protocol == "sqs" &&
      aws_sns_topic_subscription.subscriber.endpoint == aws_sqs_queue.subscriber.arn &&
      aws_sns_topic_subscription.subscriber.raw_message_delivery == true &&
      jsondecode(aws_sns_topic_subscription.subscriber.filter_policy) == { event_type = ["transaction.created"] }
    )
    error_message = "the reference subscriber receives raw events through a filter policy on event_type"
  }

  # --- alarms into this region's alarm topic ---
  assert {
    condition = (
      aws_cloudwatch_metric_alarm.iterator_age.metric_name == "IteratorAge" &&
      aws_cloudwatch_metric_alarm.iterator_age.statistic == "Maximum" &&
      aws_cloudwatch_metric_alarm.iterator_age.dimensions == tomap({ FunctionName = "meridian-dev-transaction_events" }) &&
      aws_cloudwatch_metric_alarm.publisher_errors.metric_name == "Errors"
    )
    error_message = "IteratorAge (Maximum) and Errors of the publisher must raise alarms"
  }

  assert {
    condition = {
      for key, alarm in aws_cloudwatch_metric_alarm.queue_depth : key => [alarm.metric_name, alarm.threshold, alarm.comparison_operator, alarm.dimensions.QueueName]
      } == {
      failure-queue  = ["ApproximateNumberOfMessagesVisible", 0, "GreaterThanThreshold", "meridian-dev-transaction-events-failed"]
      subscriber-dlq = ["ApproximateNumberOfMessagesVisible", 0, "GreaterThanThreshold", "meridian-dev-transaction-events-subscriber-dlq"]
    }
    error_message = "any message in the failure queue or the subscriber DLQ must raise an alarm"
  }

  assert {
    condition = alltrue([
      for alarm in concat([aws_cloudwatch_metric_alarm.iterator_age, aws_cloudwatch_metric_alarm.publisher_errors], values(aws_cloudwatch_metric_alarm.queue_depth)) :
      alarm.alarm_actions == toset([var.alarm_topic_arn]) && endswith(alarm.alarm_name, "-us-east-1")
    ])
    error_message = "every alarm notifies this region's alarm topic and names its region"
  }

  assert {
    condition     = [for widget in output.dashboard_widgets : jsondecode(widget).properties.title] == ["Events published per minute (us-east-1)", "Event publish latency p50 / p99, ms (us-east-1)", "Events stream IteratorAge max, ms (us-east-1)"]
    error_message = "the dashboard shows events published per minute, publish latency and IteratorAge"
  }
}

run "the_secondary_region_publishes_only_its_own_writes" {
  command = plan

  module {
    source = "./modules/transaction_events"
  }

  variables {
    stream_arn      = "arn:aws:dynamodb:us-west-2:123456789012:table/meridian-dev-main/stream/2026-01-01T00:00:00.000"
    alarm_topic_arn = "arn:aws:sns:us-west-2:123456789012:meridian-dev-alarms-us-west-2"
  }

  override_data {
    target = data.aws_region.current
    values = {
      name = "us-west-2"
    }
  }

  assert {
    condition     = jsondecode(one(one(aws_lambda_event_source_mapping.stream.filter_criteria).filter).pattern).dynamodb.NewImage.written_region.S == ["us-west-2"]
    error_message = "a replicated copy (written_region = the other region) must never reach the secondary's publisher"
  }
}

run "retries_must_be_bounded" {
  command = plan

  module {
    source = "./modules/transaction_events"
  }

  variables {
    maximum_retry_attempts     = -1
    maximum_record_age_seconds = 86400
    batch_size                 = 0
    subscriber_filter_policy   = "[\"not an object\"]"
  }

  expect_failures = [
    var.maximum_retry_attempts,
    var.maximum_record_age_seconds,
    var.batch_size,
    var.subscriber_filter_policy,
  ]
}
