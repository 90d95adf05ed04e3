provider "aws" {
  region = var.region

  default_tags {
    tags = merge(var.tags, {
      project    = var.project
      managed-by = "terraform"
      scope      = "account"
    })
  }
}
