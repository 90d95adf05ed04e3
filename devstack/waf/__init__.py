"""AWS WAFv2 web ACL evaluation for the devstack (the contract; the evaluator fills it in).

Both places a real request crosses a web ACL call :func:`WafGate.inspect`:

* the local edge (``devstack.edge``), with the distribution's web ACL (scope ``CLOUDFRONT``);
* ``DevstackApp.serve_stage`` (``devstack.server``), with the web ACL associated with the stage
  (scope ``REGIONAL``), for direct regional calls and for the edge's origin fetches alike.

``inspect`` answers ``None`` when the request may go on (ALLOW, or no terminating rule and the
default action allows), or the response WAF sends instead (BLOCK: WAF's 403).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Scope = Literal["CLOUDFRONT", "REGIONAL"]


@dataclass(frozen=True)
class WafRequest:
    """What a web ACL inspects: the request as it arrives at the protected resource."""

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


class WafGate:
    """Evaluates web ACLs. Until the evaluator lands, every request is allowed (no WAF)."""

    def inspect(self, request: WafRequest) -> WafBlock | None:
        """``None``: the request goes on. A ``WafBlock``: answer with it instead."""
        del request
        return None

    def web_acl_for_resource(self, region: str, resource_arn: str) -> str | None:
        """The ARN of the web ACL associated with a regional resource (a stage), if any."""
        del region, resource_arn
        return None
