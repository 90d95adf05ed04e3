terraform {
  required_version = ">= 1.11"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.100.0"
    }
  }

  # No backend block, like the environments' root module: docs/deployment-guide.md §2 and the
  # deploy workflow give it an S3 key per Region (meridian/account/<region>.tfstate).
}
