variable "name" {
  type        = string
  description = "Name prefix `<project>-<environment>` carried by every resource name."

  validation {
    condition     = can(regex("^[a-z0-9-]+$", var.name))
    error_message = "name must be lowercase letters, digits and dashes."
  }
}

variable "kms_key_arn" {
  type        = string
  description = "This region's stack key: encrypts the topic, the queues, the log group and the function environment."
}

variable "publisher_function_name" {
  type        = string
  description = "Name of this region's publisher function (modules/regional_api, function key transaction_events): the alarms and dashboard watch it."
}

variable "publisher_function_arn" {
  type        = string
  description = "ARN of this region's publisher function: what the stream mapping invokes."
}

variable "publisher_role_arn" {
  type        = string
  description = "Execution role of the publisher: the only principal the topic policy lets publish."
}

variable "stream_arn" {
  type        = string
  description = "Stream ARN of this region's copy of the table (every replica has its own stream)."

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:dynamodb:[a-z0-9-]+:[0-9]{12}:table/[A-Za-z0-9_.-]+/stream/.+$", var.stream_arn))
    error_message = "stream_arn must be a DynamoDB stream ARN."
  }
}

variable "alarm_topic_arn" {
  type        = string
  description = "This region's alarm SNS topic (modules/regional_api): every alarm of this module notifies it."
}

variable "batch_size" {
  type        = number
  description = "Most stream records per publisher invocation. Lambda allows 1-10,000 for DynamoDB streams; one Publish per record must finish inside the timeout."
  default     = 100

  validation {
    condition     = var.batch_size >= 1 && var.batch_size <= 1000
    error_message = "batch_size must be between 1 and 1000 (one Publish per record must fit in the timeout)."
  }
}

variable "maximum_batching_window_seconds" {
  type        = number
  description = "Seconds Lambda may wait to fill a batch (0-300). Adds directly to publish latency: 0 keeps events within a second of the write."
  default     = 0

  validation {
    condition     = var.maximum_batching_window_seconds >= 0 && var.maximum_batching_window_seconds <= 300
    error_message = "maximum_batching_window_seconds must be between 0 and 300."
  }
}

variable "maximum_retry_attempts" {
  type        = number
  description = "Retries of a failing batch before its records go to the failure queue (bounded: -1, infinite, is refused)."
  default     = 10

  validation {
    condition     = var.maximum_retry_attempts >= 0 && var.maximum_retry_attempts <= 10000
    error_message = "maximum_retry_attempts must be between 0 and 10000 (never -1: a poison record would block its shard for 24 h)."
  }
}

variable "maximum_record_age_seconds" {
  type        = number
  description = "Oldest record Lambda still sends to the publisher; older ones go to the failure queue. Bounded well inside the stream's 24 h retention so a replay is still possible."
  default     = 3600

  validation {
    condition     = var.maximum_record_age_seconds >= 60 && var.maximum_record_age_seconds <= 21600
    error_message = "maximum_record_age_seconds must be between 60 and 21600 (6 h): the failure record must leave time to replay from the 24 h stream."
  }
}

variable "parallelization_factor" {
  type        = number
  description = "Concurrent batches per stream shard (1-10). Records of one item stay in order at any factor."
  default     = 1

  validation {
    condition     = var.parallelization_factor >= 1 && var.parallelization_factor <= 10
    error_message = "parallelization_factor must be between 1 and 10."
  }
}

variable "subscriber_filter_policy" {
  type        = string
  description = "SNS filter policy (JSON, on message attributes) of the reference subscriber queue. The default takes every transaction.created event; e.g. {\"event_type\":[\"transaction.created\"],\"currency\":[\"EUR\"]} takes only euro transactions."
  default     = "{\"event_type\":[\"transaction.created\"]}"

  validation {
    condition     = can(keys(jsondecode(var.subscriber_filter_policy)))
    error_message = "subscriber_filter_policy must be a JSON object."
  }
}

variable "subscriber_max_receive_count" {
  type        = number
  description = "Receives of one message by the subscriber before SQS moves it to the subscriber's DLQ."
  default     = 5

  validation {
    condition     = var.subscriber_max_receive_count >= 1 && var.subscriber_max_receive_count <= 1000
    error_message = "subscriber_max_receive_count must be between 1 and 1000."
  }
}

variable "alarm_iterator_age_ms" {
  type        = number
  description = "IteratorAge (ms, Maximum over 5 minutes) above which the events-lag alarm fires."
  default     = 60000

  validation {
    condition     = var.alarm_iterator_age_ms >= 1000
    error_message = "alarm_iterator_age_ms must be at least 1000."
  }
}

