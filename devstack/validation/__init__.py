"""AWS's own API validation, where moto 5.2.1 (and our fillers) accept what AWS refuses.

A real ``terraform apply`` fails on a configuration AWS refuses at its API; so must ``make up``.
Each module here holds the rules of one service, each rule cites the AWS page it comes from and
answers with AWS's own error code (and AWS's message where AWS documents or is known to send
one). :class:`AwsValidation` is the hook: the middleware offers it every AWS API request before
any gap filler (it is the first of ``devstack.fillers.default_fillers``); it dispatches by
service (signing name) to that service's ``check`` and either answers the request with AWS's
refusal or returns ``None`` to pass it on unchanged.

Values AWS *normalises* instead of refusing (CloudFront stores ``TLSv1`` with the default
certificate) are rewritten by the filler that stores them, with the function from the service's
module here (``devstack.validation.cloudfront.as_aws_stores``), so every AWS rule lives in this
package. The list of rules, their sources and tests: docs/aws-rules.md and the "AWS API
validation" section of the fidelity table in devstack/README.md.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable

from devstack.wsgi import AwsRequest, Response

Check = Callable[[AwsRequest], Response | None]
"""A service's rules: AWS's refusal for the request, or None when AWS would accept it."""


def json_protocol_error(code: str, message: str, status: int = 400) -> Response:
    """An error of the AWS JSON protocol (CloudWatch Logs, Cognito, WAFv2): ``__type``."""
    return Response(
        status,
        [("Content-Type", "application/x-amz-json-1.1"), ("x-amzn-ErrorType", code)],
        json.dumps({"__type": code, "message": message}).encode(),
    )


def rest_json_error(code: str, message: str, status: int = 400) -> Response:
    """An error of the REST-JSON protocol (Lambda, API Gateway): ``x-amzn-ErrorType``."""
    return Response(
        status,
        [
            ("Content-Type", "application/json"),
            ("x-amzn-ErrorType", code),
            ("x-amzn-RequestId", str(uuid.uuid4())),
        ],
        json.dumps({"Type": "User", "message": message}).encode(),
    )


def rest_xml_error(code: str, message: str, status: int = 400) -> Response:
    """An error of the REST-XML protocol (CloudFront)."""
    body = (
        '<?xml version="1.0"?><ErrorResponse '
        'xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/"><Error><Type>Sender</Type>'
        f"<Code>{code}</Code><Message>{message}</Message></Error>"
        f"<RequestId>{uuid.uuid4()}</RequestId></ErrorResponse>"
    )
    return Response(status, [("Content-Type", "text/xml")], body.encode())


def _checks() -> dict[str, Check]:
    # Imported here: the service modules import the error helpers above.
    from devstack.validation import (  # noqa: PLC0415
        apigateway,
        awslambda,
        cloudfront,
        cognito,
        dynamodb,
        kms,
        logs,
        wafv2,
    )

    return {
        "apigateway": apigateway.check,
        "cloudfront": cloudfront.check,
        "cognito-idp": cognito.check,
        "dynamodb": dynamodb.TtlChangeWindow().check,
        "kms": kms.check,
        "lambda": awslambda.check,
        "logs": logs.check,
        "wafv2": wafv2.check,
    }


class AwsValidation:
    """The hook (a filler in shape): AWS's refusal, or None to let the request through."""

    def __init__(self) -> None:
        self._checks = _checks()

    @property
    def services(self) -> frozenset[str]:
        """The services (signing names) that have rules here."""
        return frozenset(self._checks)

    def handle(
        self, request: AwsRequest, forward: Callable[[AwsRequest], Response]
    ) -> Response | None:
        del forward  # the hook only refuses; it never answers for moto
        check = self._checks.get(request.service or "")
        return check(request) if check is not None else None
