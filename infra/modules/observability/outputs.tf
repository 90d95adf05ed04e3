output "dashboard_name" {
  description = "Name of the CloudWatch dashboard."
  value       = aws_cloudwatch_dashboard.main.dashboard_name
}

output "dashboard_url" {
  description = "Console URL of the dashboard."
  value       = "https://${data.aws_region.current.name}.console.aws.amazon.com/cloudwatch/home?region=${data.aws_region.current.name}#dashboards/dashboard/${aws_cloudwatch_dashboard.main.dashboard_name}"
}

output "widget_titles" {
  description = "Titles of the dashboard's widgets (for tests and reviews)."
  value       = [for widget in concat(local.api_widgets, local.lambda_widgets, local.dynamodb_widgets, local.edge_widgets) : widget.properties.title]
}
