data "aws_region" "current" {}

locals {
  region_names = sort(keys(var.regions))

  api_widgets = flatten([
    for region in local.region_names : [
      {
        type   = "metric"
        width  = 12
        height = 6
        properties = {
          title   = "API requests and errors (${region})"
          region  = region
          stat    = "Sum"
          period  = 60
          view    = "timeSeries"
          stacked = false
          metrics = [
            ["AWS/ApiGateway", "Count", "ApiName", var.regions[region].api_name, "Stage", var.regions[region].stage_name],
            [".", "4XXError", ".", ".", ".", "."],
            [".", "5XXError", ".", ".", ".", "."],
          ]
        }
      },
      {
        type   = "metric"
        width  = 12
        height = 6
        properties = {
          title  = "API latency p50 / p99 (${region})"
          region = region
          period = 60
          view   = "timeSeries"
          metrics = [
            ["AWS/ApiGateway", "Latency", "ApiName", var.regions[region].api_name, "Stage", var.regions[region].stage_name, { stat = "p50" }],
            ["...", { stat = "p99" }],
          ]
        }
      },
    ]
  ])

  lambda_widgets = flatten([
    for region in local.region_names : [
      for metric in [
        { title = "invocations", name = "Invocations", stat = "Sum" },
        { title = "errors", name = "Errors", stat = "Sum" },
        { title = "throttles", name = "Throttles", stat = "Sum" },
        { title = "duration p99", name = "Duration", stat = "p99" },
        { title = "concurrency", name = "ConcurrentExecutions", stat = "Maximum" },
        ] : {
        type   = "metric"
        width  = 8
        height = 6
        properties = {
          title   = "Lambda ${metric.title} (${region})"
          region  = region
          stat    = metric.stat
          period  = 60
          view    = "timeSeries"
          metrics = [for function_key, function_name in var.regions[region].function_names : ["AWS/Lambda", metric.name, "FunctionName", function_name, { label = function_key }]]
        }
      }
    ]
  ])

  dynamodb_widgets = flatten([
    for region in local.region_names : [
      {
        type   = "metric"
        width  = 12
        height = 6
        properties = {
          title  = "DynamoDB capacity and throttles (${region})"
          region = region
          stat   = "Sum"
          period = 60
          view   = "timeSeries"
          metrics = [
            ["AWS/DynamoDB", "ConsumedReadCapacityUnits", "TableName", var.table_name],
            [".", "ConsumedWriteCapacityUnits", ".", "."],
            [".", "ReadThrottleEvents", ".", "."],
            [".", "WriteThrottleEvents", ".", "."],
          ]
        }
      },
      {
        type   = "metric"
        width  = 12
        height = 6
        properties = {
          title  = "DynamoDB latency (${region})"
          region = region
          stat   = "Average"
          period = 60
          view   = "timeSeries"
          metrics = concat(
            [for peer in local.region_names : ["AWS/DynamoDB", "ReplicationLatency", "TableName", var.table_name, "ReceivingRegion", peer, { label = "replication to ${peer}" }] if peer != region],
            [
              ["AWS/DynamoDB", "SuccessfulRequestLatency", "TableName", var.table_name, "Operation", "GetItem"],
              ["...", "Query"],
              ["...", "PutItem"],
            ],
          )
        }
      },
    ]
  ])

  edge_widgets = [
    {
      type   = "metric"
      width  = 12
      height = 6
      properties = {
        title  = "CloudFront requests and error rates"
        region = "us-east-1"
        period = 60
        view   = "timeSeries"
        metrics = [
          ["AWS/CloudFront", "Requests", "DistributionId", var.distribution_id, "Region", "Global", { stat = "Sum" }],
          [".", "4xxErrorRate", ".", ".", ".", ".", { stat = "Average", yAxis = "right" }],
          [".", "5xxErrorRate", ".", ".", ".", ".", { stat = "Average", yAxis = "right" }],
        ]
      }
    },
    {
      type   = "metric"
      width  = 12
      height = 6
      properties = {
        title  = "WAF allowed / blocked requests"
        region = "us-east-1"
        stat   = "Sum"
        period = 60
        view   = "timeSeries"
        metrics = concat(
          [
            ["AWS/WAFV2", "AllowedRequests", "WebACL", var.edge_web_acl_name, "Rule", "ALL", { region = "us-east-1", label = "edge allowed" }],
            [".", "BlockedRequests", ".", ".", ".", ".", { region = "us-east-1", label = "edge blocked" }],
          ],
          flatten([for region in local.region_names : [
            ["AWS/WAFV2", "AllowedRequests", "WebACL", var.regions[region].web_acl_name, "Region", region, "Rule", "ALL", { region = region, label = "${region} allowed" }],
            [".", "BlockedRequests", ".", ".", ".", ".", ".", ".", { region = region, label = "${region} blocked" }],
          ]]),
        )
      }
    },
  ]
}

resource "aws_cloudwatch_dashboard" "main" {
  dashboard_name = var.name
  dashboard_body = jsonencode({
    widgets = concat(local.api_widgets, local.lambda_widgets, local.dynamodb_widgets, local.edge_widgets, [for widget in var.extra_widgets : jsondecode(widget)])
  })
}
