"""Powertools logger, metrics and tracer, configured once per function from POWERTOOLS_* env."""

from __future__ import annotations

from aws_lambda_powertools import Logger, Metrics, Tracer

# Tracing patches botocore only: patching every supported library costs cold-start time.
logger = Logger()
metrics = Metrics()
tracer = Tracer(patch_modules=["botocore"])
