# The single table (docs/interfaces.md): pk/sk, no secondary index (every route is a GetItem or a
# Query on one partition), TTL on expires_at, streams for the global table replication.
resource "aws_dynamodb_table" "main" {
  name                        = "${var.name}-main"
  billing_mode                = "PAY_PER_REQUEST"
  hash_key                    = "pk"
  range_key                   = "sk"
  stream_enabled              = true
  stream_view_type            = "NEW_AND_OLD_IMAGES"
  deletion_protection_enabled = var.deletion_protection

  attribute {
    name = "pk"
    type = "S"
  }

  attribute {
    name = "sk"
    type = "S"
  }

  ttl {
    attribute_name = "expires_at"
    enabled        = true
  }

  point_in_time_recovery {
    enabled = true
  }

  server_side_encryption {
    enabled     = true
    kms_key_arn = var.kms_key_arn
  }

  # Global table version 2019.11.21. The replica is NOT an inline `replica` block: that block has
  # no deletion protection (provider 5.100 schema), and AWS protects each replica separately ("You
  # must enable deletion protection on each replica",
  # https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/globaltables-bestpractices.html).
  # The replica is an aws_dynamodb_table_replica in modules/replica, instantiated by the root module
  # with the secondary region's provider. The provider requires the table to ignore `replica` then
  # (https://registry.terraform.io/providers/hashicorp/aws/5.100.0/docs/resources/dynamodb_table_replica).
  lifecycle {
    ignore_changes = [replica]
  }
}
