terraform {
  # 1.11: write-only arguments and ephemeral resources keep the partner secret out of state.
  required_version = ">= 1.11"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.100.0"
    }
  }

  # No backend block: local state by default. docs/deployment-guide.md shows the S3 backend
  # (`terraform init -backend-config=...`) used for shared environments.
}
