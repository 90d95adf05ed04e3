"""Runtimes that execute what Terraform deployed: API Gateway REST stages and Lambda functions."""
