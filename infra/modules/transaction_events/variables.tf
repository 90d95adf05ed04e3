variable "name" {
  type        = string
  description = "Name prefix `<project>-<environment>` carried by every resource name."

  validation {
    condition     = can(regex("^[a-z0-9-]+$", var.name))
    error_message = "name must be lowercase letters, digits and dashes."
  }
}

variable "environment" {
  type        = string
  description = "Environment name passed to the publisher as ENVIRONMENT."
}

variable "lambda_package_dir" {
  type        = string
  description = "Directory holding `transaction_events.zip` (scripts/build_lambda.py)."
}

variable "lambda_runtime" {
  type        = string
  description = "Python runtime of the publisher (the zip is built for it)."

  validation {
    condition     = contains(["python3.10", "python3.11", "python3.12", "python3.13"], var.lambda_runtime)
    error_message = "lambda_runtime must be one of python3.10, python3.11, python3.12, python3.13."
  }
}

variable "lambda_memory_mb" {
  type        = number
  description = "Memory of the publisher in MB."
  default     = 256

  validation {
    condition     = var.lambda_memory_mb >= 128 && var.lambda_memory_mb <= 10240
    error_message = "lambda_memory_mb must be between 128 and 10240."
  }
}

variable "lambda_timeout_seconds" {
  type        = number
  description = "Timeout of one publisher invocation (one batch) in seconds."
  default     = 60

  validation {
    condition     = var.lambda_timeout_seconds >= 3 && var.lambda_timeout_seconds <= 900
    error_message = "lambda_timeout_seconds must be between 3 and 900."
  }
}

variable "reserved_concurrency" {
  type        = number
  description = "Reserved concurrent executions of the publisher: at least the table stream's shard count times parallelization_factor (a handful at the design point)."
  default     = 10

  validation {
    condition     = var.reserved_concurrency >= 1 && var.reserved_concurrency <= 1000 && floor(var.reserved_concurrency) == var.reserved_concurrency
    error_message = "reserved_concurrency must be a whole number between 1 and 1000."
  }
}

variable "log_level" {
  type        = string
  description = "LOG_LEVEL of the publisher."
  default     = "INFO"

  validation {
    condition     = contains(["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"], var.log_level)
    error_message = "log_level must be DEBUG, INFO, WARNING, ERROR or CRITICAL."
  }
}

variable "log_retention_days" {
  type        = number
  description = "Retention of the publisher's log group in days."
  default     = 90

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a value CloudWatch Logs accepts."
  }
}

variable "kms_key_arn" {
  type        = string
  description = "This region's stack key: encrypts the topic, the queues, the log group and the function environment."
}

variable "table_name" {
  type        = string
  description = "Name of the global table (the same in every region)."
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

variable "xray_enabled" {
  type        = bool
  description = "Active X-Ray tracing on the publisher."
  default     = true
}
