output "topic_arn" {
  description = "ARN of this region's transaction events topic."
  value       = aws_sns_topic.events.arn
}

output "subscriber_queue_url" {
  description = "URL of the reference subscriber queue (raw transaction.created events)."
  value       = aws_sqs_queue.subscriber.id
}

output "subscriber_dlq_url" {
  description = "URL of the reference subscriber's dead-letter queue."
  value       = aws_sqs_queue.subscriber_dlq.id
}

output "failure_queue_url" {
  description = "URL of the event source mapping's on-failure queue (invocation records of unpublished stream records)."
  value       = aws_sqs_queue.failure.id
}

output "publisher_function_name" {
  description = "Name of the publisher function."
  value       = aws_lambda_function.publisher.function_name
}

output "event_source_mapping_uuid" {
  description = "UUID of the stream event source mapping (to disable, enable or inspect it during a replay)."
  value       = aws_lambda_event_source_mapping.stream.uuid
}

output "dashboard_widgets" {
  description = "CloudWatch dashboard widgets of this region's events (published per minute, publish latency, IteratorAge), each as JSON, for the stack dashboard (modules/observability extra_widgets)."
  value       = [for widget in local.dashboard_widgets : jsonencode(widget)]
}

output "iam_policy_statements" {
  description = "The publisher role's policy statements (what the tests assert)."
  value       = local.publisher_statements
}
