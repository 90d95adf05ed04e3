"""Gap fillers: small extensions for APIs moto 5.2.1 lacks or gets wrong for this stack.

Each filler is one module per service. The middleware offers every request to each filler in
turn; a filler either answers it (returning a :class:`~devstack.wsgi.Response`, usually after
calling ``forward`` to let moto do the part it does well) or returns ``None`` to pass it on.
Fillers work on moto's in-process backends directly, so their own internal calls never go back
through the middleware (and are never hit by injected faults).
"""

from __future__ import annotations

# The filler modules import this one (Forward): they are imported late to avoid a cycle.
# ruff: noqa: PLC0415
from collections.abc import Callable
from typing import Protocol

from devstack.wsgi import AwsRequest, Response

Forward = Callable[[AwsRequest], Response]

MOTO_VERSION = "5.2.1"
"""The moto release every filler was written and tested against (asserted at server start)."""


class Filler(Protocol):
    def handle(self, request: AwsRequest, forward: Forward) -> Response | None:
        """Answer the request (maybe via ``forward``), or return None when it is not ours."""
        ...


def default_fillers(account_id: str) -> list[Filler]:
    """Every filler, in the order the middleware consults them.

    AWS's own API validation (``devstack.validation``) comes first: a request AWS refuses never
    reaches a filler or moto.
    """
    from devstack.fillers.apigateway import ApiGatewayImports
    from devstack.fillers.awslambda import LambdaSettings
    from devstack.fillers.cloudfront import CloudFrontPolicies
    from devstack.fillers.dynamodb import DynamoDbReplicas
    from devstack.fillers.kms import KmsMultiRegionKeys
    from devstack.fillers.secretsmanager import SecretReplicaKeys
    from devstack.fillers.xray import XRaySamplingAndGroups
    from devstack.validation import AwsValidation

    return [
        AwsValidation(),
        ApiGatewayImports(account_id),
        LambdaSettings(account_id),
        DynamoDbReplicas(account_id),
        CloudFrontPolicies(account_id),
        XRaySamplingAndGroups(account_id),
        KmsMultiRegionKeys(account_id),
        SecretReplicaKeys(account_id),
    ]
