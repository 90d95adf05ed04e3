"""The IAM layer's view of the emulator: roles, policies, secrets, keys and functions, read from
moto's in-process state at call time (as ``devstack.backend`` does for the runtimes), and role
sessions from the emulator's own STS ``AssumeRole`` API.

Reading at call time is what makes a policy change (PutRolePolicy, DeleteRolePolicy,
AttachRolePolicy, AddPermission / RemovePermission) take effect on the next request, as on AWS
(modulo IAM's eventual consistency, which is not modelled).
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Sequence
from datetime import datetime
from functools import lru_cache
from typing import Any
from urllib.parse import unquote

from moto.awslambda.models import lambda_backends
from moto.iam.models import iam_backends
from moto.kms.models import kms_backends
from moto.secretsmanager.models import secretsmanager_backends

from devstack.iam.actions import Resolver
from devstack.iam.credentials import RoleSession
from devstack.iam.policy import Policy

LOGGER = logging.getLogger("devstack.iam")
_PARTITION = "aws"


@lru_cache(maxsize=1024)
def _parsed(name: str, document: str) -> Policy:
    """Policies are parsed once per (name, text): a changed document is a new entry."""
    return Policy.parse(name, document)


def _document(raw: object) -> str:
    """A policy document as JSON text (moto may keep it URL-encoded, as IAM's API returns it)."""
    text = str(raw or "")
    return text if text.lstrip().startswith("{") else unquote(text)


class MotoIam(Resolver):
    """Implements ``PolicySource`` and ``Resolver`` over moto, and the Lambda policy lookup."""

    def __init__(self, account_id: str, endpoint_url: str) -> None:
        self.account_id = account_id
        self._endpoint_url = endpoint_url
        self._sts: Any = None
        self._sts_lock = threading.Lock()

    # -- STS: the emulator's own AssumeRole -----------------------------------------------------
    def assume_role(self, role_arn: str, session_name: str, duration_seconds: int) -> RoleSession:
        """What Lambda does for a function: AssumeRole on its execution role, via the API."""
        import boto3  # type: ignore[import-untyped]  # noqa: PLC0415 - only needed here

        with self._sts_lock:
            if self._sts is None:
                # The deployer's credentials: they may assume any role (not enforced).
                self._sts = boto3.client(
                    "sts",
                    region_name="us-east-1",
                    endpoint_url=self._endpoint_url,
                    aws_access_key_id="test",
                    aws_secret_access_key="test",  # noqa: S106 - the emulator's fixed dummy key
                )
            client = self._sts
        answer = client.assume_role(
            RoleArn=role_arn,
            RoleSessionName=session_name[:64],
            DurationSeconds=duration_seconds,
        )
        credentials = answer["Credentials"]
        expiration: datetime = credentials["Expiration"]
        return RoleSession(
            access_key_id=credentials["AccessKeyId"],
            secret_access_key=credentials["SecretAccessKey"],
            session_token=credentials["SessionToken"],
            expires_at=expiration.timestamp(),
            role_arn=role_arn,
            session_arn=str(answer["AssumedRoleUser"]["Arn"]),
        )

    # -- PolicySource ----------------------------------------------------------------------------
    def identity_policies(self, role_arn: str) -> Sequence[Policy]:
        backend = iam_backends[self.account_id][_PARTITION]
        try:
            role = backend.get_role_by_arn(role_arn)
        except Exception:  # moto's NotFoundException: a deleted role grants nothing
            LOGGER.warning("IAM: role %s does not exist: no identity policies", role_arn)
            return []
        policies = [
            _parsed(name, _document(document)) for name, document in list(role.policies.items())
        ]
        for arn, managed in list(role.managed_policies.items()):
            default = next((v for v in managed.versions if v.is_default), None)
            if default is not None:
                policies.append(_parsed(str(arn), _document(default.document)))
        return policies

    def resource_policy(self, service: str, region: str, resource_arn: str) -> Policy | None:
        """The resource-based policies the stack could rely on: a secret's policy. (KMS key
        policies are not evaluated: no function calls KMS itself.)"""
        if service != "secretsmanager":
            return None
        secrets = secretsmanager_backends[self.account_id][region].secrets
        secret = secrets.get(resource_arn)
        policy = getattr(secret, "policy", None) if secret is not None else None
        return _parsed(resource_arn, _document(policy)) if policy else None

    # -- Resolver --------------------------------------------------------------------------------
    def secret_arn(self, region: str, secret_id: str) -> str | None:
        secret = secretsmanager_backends[self.account_id][region].secrets.get(secret_id)
        return str(secret.arn) if secret is not None else None

    def kms_key_arn(self, region: str, key_id: str) -> str | None:
        backend = kms_backends[self.account_id][region]
        try:
            return str(backend.describe_key(key_id).arn)
        except Exception:  # moto's NotFoundException
            return None

    # -- Lambda resource policies ----------------------------------------------------------------
    def function_policy(self, function_arn: str) -> str | None:
        """The function's resource-based policy document (JSON), or None when it has none."""
        region = function_arn.split(":")[3]
        backend = lambda_backends[self.account_id][region]
        try:
            wire = json.loads(backend.get_policy(function_arn))
        except Exception:  # no such function, or no statement (moto raises): no permission
            return None
        document = wire.get("Policy")
        return str(document) if document else None
