"""Powertools logger, metrics and tracer, configured once per function from POWERTOOLS_* env."""

from __future__ import annotations

from aws_lambda_powertools import Logger, Metrics, Tracer

# Tracing patches botocore only: patching every supported library costs cold-start time.
logger = Logger()
metrics = Metrics()
# Handlers decorate with capture_response=False: responses carry personal data (profiles,
# authorizer policies name the caller) that must not be copied into traces, and serialising them
# into every handler subsegment cost ~35 µs per request (measured by `make bench`).
tracer = Tracer(patch_modules=["botocore"])
