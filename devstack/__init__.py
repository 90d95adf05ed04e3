"""Meridian devstack: a local AWS (moto server plus gap fillers) with API Gateway and Lambda runtimes."""
