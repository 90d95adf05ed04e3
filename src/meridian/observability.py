"""Powertools logger, metrics and tracer, configured once per function from POWERTOOLS_* env,
and the SnapStart runtime hook every function registers at init."""

from __future__ import annotations

import importlib
import random

from aws_lambda_powertools import Logger, Metrics, Tracer

# Tracing patches botocore only: patching every supported library costs cold-start time.
logger = Logger()
metrics = Metrics()
# Handlers decorate with capture_response=False: responses carry personal data (profiles,
# authorizer policies name the caller) that must not be copied into traces, and serialising them
# into every handler subsegment cost ~35 µs per request (measured by `make bench`).
tracer = Tracer(patch_modules=["botocore"])


def reseed_after_restore() -> None:
    """Reseed Python's ``random`` from os.urandom.

    With SnapStart (opt-in, infra variable lambda_snap_start_functions) one snapshot of the
    initialized function resumes many execution environments: the Mersenne Twister state seeded
    when ``random`` was imported at init would be the same in all of them. Meridian draws ids and
    secrets from os.urandom at call time (meridian.ids), never from ``random``; botocore's retry
    jitter does use ``random``, and environments retrying in lockstep defeat the jitter.
    https://docs.aws.amazon.com/lambda/latest/dg/snapstart-uniqueness.html
    """
    random.seed()


def install_snapshot_hooks() -> bool:
    """Register the after-restore hook with the Lambda runtime's ``snapshot_restore_py``
    (included in the Python managed runtimes; absent elsewhere, then nothing to do).
    https://docs.aws.amazon.com/lambda/latest/dg/snapstart-runtime-hooks-python.html"""
    try:
        hooks = importlib.import_module("snapshot_restore_py")
    except ImportError:
        return False
    hooks.register_after_restore(reseed_after_restore)
    return True


install_snapshot_hooks()
