# One replica of the global table, in this provider's region. A resource of its own rather than
# the table's inline `replica` block because only this resource has deletion protection: AWS
# protects each replica separately, and an unprotected replica is deleted by `terraform destroy`
# before the protected primary table stops it
# (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/globaltables-bestpractices.html,
# https://registry.terraform.io/providers/hashicorp/aws/5.100.0/docs/resources/dynamodb_table_replica).
resource "aws_dynamodb_table_replica" "this" {
  global_table_arn            = var.global_table_arn
  kms_key_arn                 = var.kms_key_arn
  point_in_time_recovery      = true
  deletion_protection_enabled = var.deletion_protection
}

data "aws_region" "current" {}
