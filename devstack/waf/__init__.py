"""AWS WAFv2 web ACL evaluation for the devstack.

Both places a real request crosses a web ACL call :func:`WafGate.inspect`:

* the local edge (``devstack.edge``), with the distribution's web ACL (scope ``CLOUDFRONT``);
* ``DevstackApp.serve_stage`` (``devstack.server``), with the web ACL associated with the stage
  (scope ``REGIONAL``), for direct regional calls and for the edge's origin fetches alike.

``inspect`` answers ``None`` when the request may go on (ALLOW, or no terminating rule and the
default action allows), or the response WAF sends instead (BLOCK: WAF's 403).

The web ACLs are read from the emulator (``devstack.waf.moto_source``) on every request, so what
is evaluated is always what Terraform last applied. Modules: ``statements`` (byte match, size,
logical statements, text transformations), ``rate`` (the rate-based rule's window), ``managed``
(AWS managed rule groups, approximated with libinjection), ``engine`` (priority order, actions,
overrides), ``logs`` (log records and redactions). Fidelity: ``devstack/README.md``, "WAF".
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from devstack.waf.engine import Decision, WebAclEvaluator
from devstack.waf.logs import log_record
from devstack.waf.managed import ManagedRuleGroups
from devstack.waf.rate import RateCounter
from devstack.waf.statements import Inspected, UnsupportedStatementError

LOGGER = logging.getLogger("devstack.waf")

Scope = Literal["CLOUDFRONT", "REGIONAL"]


@dataclass(frozen=True)
class WafRequest:
    """What a web ACL inspects: the request as it arrives at the protected resource.

    ``uri_path`` is the path the protected resource receives: for an API Gateway stage it starts
    with the stage name (``/v1/health``), as the regional web ACL's byte match expects.
    """

    scope: Scope
    web_acl_arn: str
    method: str
    uri_path: str
    query_string: str
    headers: tuple[tuple[str, str], ...]
    body: bytes
    client_ip: str


@dataclass(frozen=True)
class WafBlock:
    """WAF's answer to a blocked request (status, headers, body) and the rule that decided."""

    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes
    terminating_rule: str


class WebAclSource(Protocol):
    """Where the gate reads web ACLs and writes its logs (the emulator, or a test's fake)."""

    def web_acl(self, arn: str) -> Mapping[str, Any] | None: ...

    def web_acl_for_resource(self, region: str, resource_arn: str) -> str | None: ...

    def logging_configuration(self, arn: str) -> Mapping[str, Any] | None: ...

    def write_log(self, destination_arn: str, message: str) -> None: ...


# CloudFront answers a request its web ACL blocked with its own 403 error page ("Request
# blocked.", Server: CloudFront): https://repost.aws/knowledge-center/cloudfront-troubleshoot-403-errors
_CLOUDFRONT_BLOCK_BODY = (
    b'<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN" '
    b'"http://www.w3.org/TR/html4/loose.dtd">\n<HTML><HEAD><META HTTP-EQUIV="Content-Type" '
    b'CONTENT="text/html; charset=iso-8859-1">\n<TITLE>ERROR: The request could not be '
    b"satisfied</TITLE>\n</HEAD><BODY>\n<H1>403 ERROR</H1>\n<H2>The request could not be "
    b'satisfied.</H2>\n<HR noshade size="1px">\nRequest blocked.\nWe can\'t connect to the '
    b"server for this app or website at this time. There might be too much traffic or a "
    b"configuration error. Try again later, or contact the app or website owner.\n</BODY></HTML>"
)
# API Gateway answers a request AWS WAF blocked with its WAF_FILTERED gateway response (403,
# message "Forbidden"); serve_stage renders the stage's own template for it, this is the default.
# https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html
_REGIONAL_BLOCK_BODY = b'{"message":"Forbidden"}'


class WafGate:
    """Evaluates web ACLs. Without a source (unit tests of other layers) every request passes."""

    def __init__(
        self,
        source: WebAclSource | None = None,
        clock: Callable[[], float] = time.monotonic,
        managed: ManagedRuleGroups | None = None,
    ) -> None:
        self._source = source
        self._evaluator = WebAclEvaluator(
            RateCounter(clock), managed if managed is not None else ManagedRuleGroups()
        )

    def inspect(self, request: WafRequest) -> WafBlock | None:
        """``None``: the request goes on. A ``WafBlock``: answer with it instead."""
        if self._source is None:
            return None
        acl = self._source.web_acl(request.web_acl_arn)
        if acl is None:
            LOGGER.warning("web ACL %s does not exist: request allowed", request.web_acl_arn)
            return None
        inspected = Inspected(
            method=request.method,
            uri_path=request.uri_path,
            query_string=request.query_string,
            headers=request.headers,
            body=request.body,
        )
        try:
            decision = self._evaluator.evaluate(acl, inspected, request.client_ip)
        except (UnsupportedStatementError, ValueError, KeyError) as error:
            LOGGER.error("web ACL %s: %s is not emulated: allowed", request.web_acl_arn, error)
            return None
        self._log(request, inspected, decision)
        if decision.action != "BLOCK":
            return None
        custom = decision.block_response or {}
        status = int(custom.get("ResponseCode", 403))
        if request.scope == "CLOUDFRONT":
            headers: tuple[tuple[str, str], ...] = (
                ("Content-Type", "text/html"),
                ("Server", "CloudFront"),
            )  # the edge adds X-Cache: Error from cloudfront, as to every error it answers
            body = _CLOUDFRONT_BLOCK_BODY
        else:
            headers = (
                ("Content-Type", "application/json"),
                ("x-amzn-ErrorType", "ForbiddenException"),
            )
            body = _REGIONAL_BLOCK_BODY
        return WafBlock(status, headers, body, decision.terminating_rule_id)

    def web_acl_for_resource(self, region: str, resource_arn: str) -> str | None:
        """The ARN of the web ACL associated with a regional resource (a stage), if any."""
        if self._source is None:
            return None
        return self._source.web_acl_for_resource(region, resource_arn)

    def _log(self, request: WafRequest, inspected: Inspected, decision: Decision) -> None:
        if self._source is None:
            return
        config = self._source.logging_configuration(request.web_acl_arn)
        if not config:
            return
        record = log_record(
            acl_arn=request.web_acl_arn,
            source="CF" if request.scope == "CLOUDFRONT" else "APIGW",
            decision=decision,
            request=inspected,
            client_ip=request.client_ip,
            redacted_fields=config.get("RedactedFields"),
        )
        message = json.dumps(record, separators=(",", ":"))
        for destination in config.get("LogDestinationConfigs") or []:
            try:
                self._source.write_log(str(destination), message)
            except Exception:
                LOGGER.exception("could not write the WAF log to %s", destination)
