"""Fakes for the edge's unit tests: config from values, a scripted origin, a manual clock."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

from devstack.edge.config import (
    Behaviour,
    CachePolicy,
    Distribution,
    ErrorResponse,
    KeyItems,
    Origin,
    OriginGroup,
    OriginRequestPolicy,
    ResponseHeadersPolicy,
)
from devstack.edge.server import Edge, OriginRequest, ViewerRequest
from devstack.waf import WafBlock, WafRequest
from devstack.wsgi import Response

ALL_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "PATCH", "POST", "DELETE"})
NONE = KeyItems("none")
CACHING_DISABLED = CachePolicy(0, 0, 0, NONE, NONE, NONE, gzip=False, brotli=False)
CACHING_OPTIMIZED = CachePolicy(1, 86400, 31536000, NONE, NONE, NONE, gzip=True, brotli=True)
ALL_VIEWER_EXCEPT_HOST = OriginRequestPolicy(
    KeyItems("allExcept", ("host",)), KeyItems("all"), KeyItems("all")
)


def origin(
    origin_id: str = "api",
    domain: str = "abc123.execute-api.eu-west-1.amazonaws.com",
    **kwargs: object,
) -> Origin:
    return Origin(origin_id, domain, **kwargs)  # type: ignore[arg-type]


def behaviour(pattern: str = "*", target: str = "api", **kwargs: object) -> Behaviour:
    values: dict[str, object] = {
        "allowed_methods": ALL_METHODS,
        "cached_methods": frozenset({"GET", "HEAD"}),
        "cache_policy_id": "disabled",
        "origin_request_policy_id": "allviewer-except-host",
    }
    values.update(kwargs)
    return Behaviour(pattern, target, **values)  # type: ignore[arg-type]


def distribution(**kwargs: object) -> Distribution:
    values: dict[str, object] = {
        "distribution_id": "EDEVSTACK",
        "domain_name": "d111111abcdef8.cloudfront.net",
        "aliases": (),
        "enabled": True,
        "default_root_object": "",
        "web_acl_id": "",
        "origins": {"api": origin()},
        "origin_groups": {},
        "default_behaviour": behaviour(),
        "behaviours": (),
        "error_responses": {},
    }
    values.update(kwargs)
    return Distribution(**values)  # type: ignore[arg-type]


@dataclass
class StaticConfig:
    items: list[Distribution]
    cache_policies: dict[str, CachePolicy] = field(
        default_factory=lambda: {"disabled": CACHING_DISABLED, "optimized": CACHING_OPTIMIZED}
    )
    origin_policies: dict[str, OriginRequestPolicy] = field(
        default_factory=lambda: {"allviewer-except-host": ALL_VIEWER_EXCEPT_HOST}
    )
    response_policies: dict[str, ResponseHeadersPolicy] = field(default_factory=dict)

    def distributions(self) -> list[Distribution]:
        return self.items

    def cache_policy(self, policy_id: str) -> CachePolicy | None:
        return self.cache_policies.get(policy_id)

    def origin_request_policy(self, policy_id: str) -> OriginRequestPolicy | None:
        return self.origin_policies.get(policy_id)

    def response_headers_policy(self, policy_id: str) -> ResponseHeadersPolicy | None:
        return self.response_policies.get(policy_id)


Answer = Callable[[Origin, OriginRequest], Response]


@dataclass
class ScriptedOrigin:
    """Answers with ``answer`` (default: 200 JSON naming the call number) and records every call."""

    answer: Answer | None = None
    calls: list[tuple[Origin, OriginRequest]] = field(default_factory=list)

    def fetch(self, origin: Origin, request: OriginRequest) -> Response:
        self.calls.append((origin, request))
        if self.answer is not None:
            return self.answer(origin, request)
        body = f'{{"call": {len(self.calls)}}}'.encode()
        return Response(200, [("Content-Type", "application/json")], body)


@dataclass
class ManualClock:
    now: float = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@dataclass
class RecordingWaf:
    block: WafBlock | None = None
    seen: list[WafRequest] = field(default_factory=list)

    def inspect(self, request: WafRequest) -> WafBlock | None:
        self.seen.append(request)
        return self.block


def make_edge(
    dist: Distribution | None = None,
    config: StaticConfig | None = None,
    answer: Answer | None = None,
) -> tuple[Edge, ScriptedOrigin, ManualClock, RecordingWaf]:
    config = config or StaticConfig([dist or distribution()])
    fetcher = ScriptedOrigin(answer)
    clock = ManualClock()
    waf = RecordingWaf()
    return Edge(config, fetcher, waf, clock), fetcher, clock, waf


def viewer(
    method: str = "GET",
    path: str = "/v1/health",
    query: str = "",
    headers: tuple[tuple[str, str], ...] = (),
    body: bytes = b"",
    client_ip: str = "127.0.0.9",
) -> ViewerRequest:
    return ViewerRequest(
        method, path, query, (("Host", "127.0.0.1:4631"), *headers), body, client_ip
    )


def error_responses(*codes: int, ttl: int | None = 0) -> dict[int, ErrorResponse]:
    return {code: ErrorResponse(code, ttl) for code in codes}


__all__ = ["OriginGroup", "replace"]
