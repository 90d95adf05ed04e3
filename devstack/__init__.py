"""The devstack: a local AWS (moto plus gap fillers) with API Gateway and Lambda runtimes."""
