locals {
  default_tags = merge(var.tags, {
    project     = var.project
    environment = var.environment
    managed-by  = "terraform"
  })
}

# The primary region holds the shared services (Cognito, the secret's primary copy, the table's
# primary replica, the dashboard).
provider "aws" {
  region = var.primary_region

  default_tags {
    tags = local.default_tags
  }
}

# The secondary region: a second, fully independent copy of the regional API.
provider "aws" {
  alias  = "secondary"
  region = var.secondary_region

  default_tags {
    tags = local.default_tags
  }
}

# CloudFront, its WAF web ACL, its certificate and its metrics only exist in us-east-1.
provider "aws" {
  alias  = "us_east_1"
  region = "us-east-1"

  default_tags {
    tags = local.default_tags
  }
}

# The primary region again, used only to generate and write the partner signing key (an ephemeral
# resource). A configuration of its own because `terraform test` mock providers cannot open
# ephemeral resources yet (Terraform 1.11): the tests mock every other configuration and give
# this one offline test credentials, replacing the module that uses it.
provider "aws" {
  alias  = "secret_writer"
  region = var.primary_region

  default_tags {
    tags = local.default_tags
  }
}
