"""AWS clients for the target: the emulator's endpoint and test credentials, or the real chain."""

from __future__ import annotations

from typing import Any

import boto3
from botocore.config import Config

from .partner import Partner, partners_from_secrets
from .target import Target

_RETRIES = Config(retries={"max_attempts": 4, "mode": "standard"})


def client(target: Target, service: str, region: str | None = None) -> Any:
    """A boto3 client for ``service``; on the devstack it talks to the emulator with test creds."""
    region_name = region or target.primary_region
    if target.aws_endpoint_url:
        return boto3.client(
            service,  # type: ignore[call-overload]
            region_name=region_name,
            endpoint_url=target.aws_endpoint_url,
            # The emulator accepts any credentials; these are its documented test values.
            aws_access_key_id="test",
            aws_secret_access_key="test",
            config=_RETRIES,
        )
    return boto3.client(service, region_name=region_name, config=_RETRIES)  # type: ignore[call-overload]


def authorizer_environment(target: Target) -> dict[str, str]:
    """The authorizer function's environment, read through lambda:GetFunctionConfiguration.

    The function is found by name from the outputs, else as the function of the primary region
    whose environment names a partner issuer (the authorizer is the only one that has it).
    """
    lambda_client = client(target, "lambda")
    if target.authorizer_function_name:
        config = lambda_client.get_function_configuration(
            FunctionName=target.authorizer_function_name
        )
        return dict(config.get("Environment", {}).get("Variables", {}))
    for page in lambda_client.get_paginator("list_functions").paginate():
        for function in page["Functions"]:
            variables = function.get("Environment", {}).get("Variables", {})
            if "PARTNER_ISSUER" in variables:
                return dict(variables)
    raise LookupError("no Lambda function with PARTNER_ISSUER found in the primary region")


def partners(target: Target) -> dict[str, Partner]:
    """Every partner of the stack with the key read from its secret in the primary region.

    The secrets are found by the authorizer's PARTNER_KEY_SECRET_PREFIX (``<project>-<env>/
    partner-keys/``; ListSecrets by name prefix), issuer and audience are the authorizer's too.
    """
    environment = authorizer_environment(target)
    prefix = environment.get("PARTNER_KEY_SECRET_PREFIX")
    if not prefix:
        raise LookupError("the authorizer has no PARTNER_KEY_SECRET_PREFIX")
    return partners_from_secrets(
        client(target, "secretsmanager"),
        prefix,
        target.partner_issuer or environment["PARTNER_ISSUER"],
        target.partner_audience or environment["PARTNER_AUDIENCE"],
    )
