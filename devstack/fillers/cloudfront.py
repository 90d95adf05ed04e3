"""CloudFront cache, origin-request and response-headers policies (moto 5.2.1 answers 404).

REST-XML under ``/2020-05-31/{kind}``: Create (POST), List (GET, ``Type=managed|custom``), Get
(GET ``/{id}``), GetConfig (GET ``/{id}/config``), Update (PUT ``/{id}``, ``If-Match``) and Delete
(DELETE ``/{id}``, ``If-Match``; refused with ``...InUse`` while a distribution in moto's backend
references the policy). The policy config document is stored as sent and echoed back, so any field
the caller sets round-trips unchanged. A few AWS managed policies exist from the start, with
their real ids, so data sources that look them up by name work.

Two AWS rules moto does not enforce are applied to CreateDistribution(WithTags) and
UpdateDistribution, with AWS's own answer (docs/aws-rules.md, "Edge"): a behaviour that targets an
origin group and allows POST/PUT/PATCH/DELETE is refused (``InvalidArgument``), and with the
default certificate ``MinimumProtocolVersion`` is stored as ``TLSv1`` whatever was sent.

Distributions: moto rejects a cache behaviour whose ``TargetOriginId`` is an origin *group*
(``NoSuchOrigin``). On CreateDistribution(WithTags) / UpdateDistribution the filler gives moto the
group's first member instead and puts the group id back into every answer about that
distribution (Get, GetConfig, Create, Update), so Terraform reads back what it sent. Two more
differences from CloudFront are corrected in those answers: moto adds legacy ``ForwardedValues``
to behaviours that use a cache policy, and ``SSLSupportMethod`` to the default certificate.
"""

from __future__ import annotations

import re
import threading
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from moto.cloudfront.models import cloudfront_backends

from devstack.fillers import Forward
from devstack.wsgi import AwsRequest, Response

_NS = "http://cloudfront.amazonaws.com/doc/2020-05-31/"
_DISTRIBUTION_PATH = re.compile(
    r"^/2020-05-31/distribution(?:/(?P<id>[^/]+)(?P<config>/config)?)?$"
)
_TARGET = re.compile(r"<TargetOriginId>(?P<id>[^<]*)</TargetOriginId>")
_PATH = re.compile(
    r"^/2020-05-31/(?P<kind>cache-policy|origin-request-policy|response-headers-policy)"
    r"(?:/(?P<id>[^/]+)(?P<config>/config)?)?$"
)


@dataclass(frozen=True)
class _Kind:
    element: str  # CachePolicy
    attribute: str  # moto's cache behaviour attribute holding a reference

    @property
    def config(self) -> str:
        return f"{self.element}Config"


_KINDS = {
    "cache-policy": _Kind("CachePolicy", "cache_policy_id"),
    "origin-request-policy": _Kind("OriginRequestPolicy", "origin_request_policy_id"),
    "response-headers-policy": _Kind("ResponseHeadersPolicy", "response_headers_policy_id"),
}


def _managed_cache_policy(name: str, comment: str, ttl: tuple[int, int, int], gzip: bool) -> str:
    default_ttl, max_ttl, min_ttl = ttl
    encodings = str(gzip).lower()
    return (
        f"<CachePolicyConfig><Comment>{comment}</Comment><Name>{name}</Name>"
        f"<DefaultTTL>{default_ttl}</DefaultTTL><MaxTTL>{max_ttl}</MaxTTL><MinTTL>{min_ttl}</MinTTL>"
        "<ParametersInCacheKeyAndForwardedToOrigin>"
        f"<EnableAcceptEncodingGzip>{encodings}</EnableAcceptEncodingGzip>"
        f"<EnableAcceptEncodingBrotli>{encodings}</EnableAcceptEncodingBrotli>"
        "<HeadersConfig><HeaderBehavior>none</HeaderBehavior></HeadersConfig>"
        "<CookiesConfig><CookieBehavior>none</CookieBehavior></CookiesConfig>"
        "<QueryStringsConfig><QueryStringBehavior>none</QueryStringBehavior></QueryStringsConfig>"
        "</ParametersInCacheKeyAndForwardedToOrigin></CachePolicyConfig>"
    )


def _managed_origin_request_policy(
    name: str, comment: str, headers: str, names: tuple[str, ...] = ()
) -> str:
    items = "".join(f"<Name>{n}</Name>" for n in names)
    listed = f"<Headers><Quantity>{len(names)}</Quantity><Items>{items}</Items></Headers>"
    return (
        f"<OriginRequestPolicyConfig><Comment>{comment}</Comment><Name>{name}</Name>"
        f"<HeadersConfig><HeaderBehavior>{headers}</HeaderBehavior>"
        f"{listed if names else ''}</HeadersConfig>"
        "<CookiesConfig><CookieBehavior>all</CookieBehavior></CookiesConfig>"
        "<QueryStringsConfig><QueryStringBehavior>all</QueryStringBehavior></QueryStringsConfig>"
        "</OriginRequestPolicyConfig>"
    )


# Real ids of the AWS managed policies most used in front of APIs.
_MANAGED: dict[str, dict[str, str]] = {
    "cache-policy": {
        "4135ea2d-6df8-44a3-9df3-4b5a84be39ad": _managed_cache_policy(
            "Managed-CachingDisabled", "Policy with caching disabled", (0, 0, 0), False
        ),
        "658327ea-f89d-4fab-a63d-7e88639e58f6": _managed_cache_policy(
            "Managed-CachingOptimized",
            "Policy with caching enabled. Supports Gzip and Brotli compression.",
            (86400, 31536000, 1),
            True,
        ),
    },
    "origin-request-policy": {
        "216adef6-5c7f-47e4-b989-5492eafa07d3": _managed_origin_request_policy(
            "Managed-AllViewer", "Policy to forward all parameters in viewer requests", "allViewer"
        ),
        "b689b0a8-53d0-40ab-baf2-68738e2966ac": _managed_origin_request_policy(
            "Managed-AllViewerExceptHostHeader",
            "Policy to forward all parameters in viewer requests except for the Host header",
            # Every viewer header but Host (the devstack edge forwards what this says).
            "allExcept",
            ("host",),
        ),
    },
    "response-headers-policy": {},
}


@dataclass
class _Policy:
    policy_id: str
    kind: str
    config_xml: str  # the <...Config> element as sent, without XML declaration
    name: str
    etag: str
    last_modified: str
    managed: bool = False


def _error(status: int, code: str, message: str) -> Response:
    body = (
        f'<?xml version="1.0"?><ErrorResponse xmlns="{_NS}"><Error><Type>Sender</Type>'
        f"<Code>{code}</Code><Message>{message}</Message></Error>"
        f"<RequestId>{uuid.uuid4()}</RequestId></ErrorResponse>"
    )
    return Response(status, [("Content-Type", "text/xml")], body.encode())


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _parse_config(body: bytes, expected_root: str) -> tuple[str, str] | None:
    """(config element as text, its Name) or None when the document is not a ``expected_root``."""
    try:
        root = ET.fromstring(body)  # noqa: S314 - local clients only
    except ET.ParseError:
        return None
    if root.tag.rpartition("}")[2] != expected_root:
        return None
    name = root.find("{*}Name")
    if name is None or not (name.text or "").strip():
        return None
    text = body.decode()
    text = re.sub(r"^\s*<\?xml[^>]*\?>\s*", "", text)
    return text, (name.text or "").strip()


class CloudFrontPolicies:
    def __init__(self, account_id: str) -> None:
        self.account_id = account_id
        self._lock = threading.Lock()
        self._policies: dict[str, _Policy] = {}
        # distribution id -> {member origin id moto was given: origin group id the caller sent}
        self._group_targets: dict[str, dict[str, str]] = {}
        for kind, policies in _MANAGED.items():
            for policy_id, config in policies.items():
                parsed = _parse_config(config.encode(), _KINDS[kind].config)
                assert parsed is not None  # noqa: S101 - our own constant documents
                self._policies[policy_id] = _Policy(
                    policy_id,
                    kind,
                    parsed[0],
                    parsed[1],
                    "E" + policy_id[:12].upper(),
                    _now(),
                    True,
                )

    def handle(  # noqa: PLR0911 - one return per REST route
        self, request: AwsRequest, forward: Forward
    ) -> Response | None:
        if request.service != "cloudfront":
            return None
        distribution = _DISTRIBUTION_PATH.match(request.path)
        if distribution:
            return self._distribution(request, forward, distribution.group("id"))
        match = _PATH.match(request.path)
        if match is None:
            return None
        kind = match.group("kind")
        policy_id = match.group("id")
        with self._lock:
            if policy_id is None:
                if request.method == "POST":
                    return self._create(kind, request)
                if request.method == "GET":
                    return self._list(kind, dict(request.query).get("Type"))
            else:
                policy = self._policies.get(policy_id)
                if policy is None or policy.kind != kind:
                    return _error(
                        404, f"NoSuch{_KINDS[kind].element}", "The policy does not exist."
                    )
                if request.method == "GET":
                    return self._get(policy, config_only=bool(match.group("config")))
                if request.method == "PUT" and not match.group("config"):
                    return self._update(policy, request)
                if request.method == "DELETE" and not match.group("config"):
                    return self._delete(policy, request)
        return _error(405, "MethodNotAllowed", f"{request.method} {request.path}")

    # -- operations ---------------------------------------------------------------------------
    def _render(self, policy: _Policy) -> str:
        element = _KINDS[policy.kind].element
        return (
            f'<{element} xmlns="{_NS}"><Id>{policy.policy_id}</Id>'
            f"<LastModifiedTime>{policy.last_modified}</LastModifiedTime>"
            f"{policy.config_xml}</{element}>"
        )

    def _document(self, status: int, policy: _Policy, extra: list[tuple[str, str]]) -> Response:
        body = '<?xml version="1.0"?>' + self._render(policy)
        headers = [("Content-Type", "text/xml"), ("ETag", policy.etag), *extra]
        return Response(status, headers, body.encode())

    def _name_taken(self, kind: str, name: str, except_id: str | None = None) -> bool:
        return any(
            p.kind == kind and p.name == name and p.policy_id != except_id
            for p in self._policies.values()
        )

    def _create(self, kind: str, request: AwsRequest) -> Response:
        element = _KINDS[kind].element
        parsed = _parse_config(request.body, _KINDS[kind].config)
        if parsed is None:
            return _error(400, "MalformedInput", f"Expected a {element}Config with a Name.")
        config_xml, name = parsed
        if self._name_taken(kind, name):
            return _error(409, f"{element}AlreadyExists", f"A policy named {name} already exists.")
        policy_id = str(uuid.uuid4())
        policy = _Policy(policy_id, kind, config_xml, name, _new_etag(), _now())
        self._policies[policy_id] = policy
        location = f"https://cloudfront.amazonaws.com/2020-05-31/{kind}/{policy_id}"
        return self._document(201, policy, [("Location", location)])

    def _list(self, kind: str, type_filter: str | None) -> Response:
        element = _KINDS[kind].element
        items = [
            p
            for p in self._policies.values()
            if p.kind == kind and (type_filter is None or (type_filter == "managed") == p.managed)
        ]
        summaries = "".join(
            f"<{element}Summary><Type>{'managed' if p.managed else 'custom'}</Type>"
            f"{self._render(p)}</{element}Summary>"
            for p in items
        )
        body = (
            f'<?xml version="1.0"?><{element}List xmlns="{_NS}"><MaxItems>100</MaxItems>'
            f"<Quantity>{len(items)}</Quantity><Items>{summaries}</Items></{element}List>"
        )
        return Response(200, [("Content-Type", "text/xml")], body.encode())

    def _get(self, policy: _Policy, config_only: bool) -> Response:
        if not config_only:
            return self._document(200, policy, [])
        body = '<?xml version="1.0"?>' + policy.config_xml
        return Response(200, [("Content-Type", "text/xml"), ("ETag", policy.etag)], body.encode())

    def _check_if_match(self, policy: _Policy, request: AwsRequest) -> Response | None:
        if_match = request.headers.get("if-match")
        if not if_match:
            return _error(400, "InvalidIfMatchVersion", "The If-Match version is missing.")
        if if_match != policy.etag:
            return _error(412, "PreconditionFailed", "The If-Match version does not match.")
        if policy.managed:
            return _error(409, "IllegalUpdate", "Managed policies cannot be changed.")
        return None

    def _update(self, policy: _Policy, request: AwsRequest) -> Response:
        refused = self._check_if_match(policy, request)
        if refused is not None:
            return refused
        element = _KINDS[policy.kind].element
        parsed = _parse_config(request.body, _KINDS[policy.kind].config)
        if parsed is None:
            return _error(400, "MalformedInput", f"Expected a {element}Config with a Name.")
        if self._name_taken(policy.kind, parsed[1], except_id=policy.policy_id):
            return _error(409, f"{element}AlreadyExists", f"A policy named {parsed[1]} exists.")
        policy.config_xml, policy.name = parsed
        policy.etag = _new_etag()
        policy.last_modified = _now()
        return self._document(200, policy, [])

    def _delete(self, policy: _Policy, request: AwsRequest) -> Response:
        refused = self._check_if_match(policy, request)
        if refused is not None:
            return refused
        if self._referenced(policy):
            element = _KINDS[policy.kind].element
            return _error(409, f"{element}InUse", "A distribution still uses this policy.")
        del self._policies[policy.policy_id]
        return Response(204, [], b"")

    # -- distributions targeting origin groups ------------------------------------------------
    def _distribution(
        self, request: AwsRequest, forward: Forward, distribution_id: str | None
    ) -> Response:
        writes = request.method == "POST" or (request.method == "PUT" and distribution_id)
        if writes:
            refused = _origin_group_with_writes(request.body)
            if refused is not None:
                return refused
            request = request.with_body(_as_aws_stores(request.body))
        groups = _origin_group_members(request.body) if writes else {}
        targeted = {m["id"] for m in _TARGET.finditer(request.body.decode("utf-8", "replace"))}
        replaced = {group: members[0] for group, members in groups.items() if group in targeted}
        if replaced:
            text = _TARGET.sub(
                lambda m: f"<TargetOriginId>{replaced.get(m['id'], m['id'])}</TargetOriginId>",
                request.body.decode(),
            )
            request = request.with_body(text.encode())
        response = forward(request)
        if response.status >= 300:
            return response
        with self._lock:
            if writes:
                new_id = _first_text(response.body, "Id") if distribution_id is None else None
                key = distribution_id or new_id
                if key:
                    self._group_targets[key] = {member: group for group, member in replaced.items()}
            if request.method == "DELETE" and distribution_id:
                self._group_targets.pop(distribution_id, None)
                return response
            mapping = self._group_targets.get(
                distribution_id or _first_text(response.body, "Id") or "", {}
            )
        text = _TARGET.sub(
            lambda m: f"<TargetOriginId>{mapping.get(m['id'], m['id'])}</TargetOriginId>",
            response.body.decode(),
        )
        text = _as_aws_reports(text)
        headers = [(k, v) for k, v in response.headers if k.lower() != "content-length"]
        return Response(response.status, headers, text.encode())

    def _referenced(self, policy: _Policy) -> bool:
        attribute = _KINDS[policy.kind].attribute
        for backend in _cloudfront_backends(self.account_id):
            for distribution in backend.distributions.values():
                config = distribution.distribution_config
                behaviours: list[Any] = [config.DefaultCacheBehavior]
                behaviours += list((config.CacheBehaviors or {}).get("Items") or [])
                if any(getattr(b, attribute, None) == policy.policy_id for b in behaviours):
                    return True
        return False


def _cloudfront_backends(account_id: str) -> list[Any]:
    # CloudFront is global: moto keeps one backend per partition.
    backends = cloudfront_backends[account_id]
    return [backends[partition] for partition in ("aws",) if partition in backends.regions]


def _new_etag() -> str:
    return "E" + uuid.uuid4().hex[:13].upper()


def _origin_group_members(body: bytes) -> dict[str, list[str]]:
    """Origin group id -> member origin ids, from a DistributionConfig document."""
    try:
        root = ET.fromstring(body)  # noqa: S314 - local clients only
    except ET.ParseError:
        return {}
    groups: dict[str, list[str]] = {}
    for group in root.iterfind(".//{*}OriginGroup"):
        group_id = group.findtext("{*}Id")
        members = [m.text or "" for m in group.iterfind(".//{*}OriginId")]
        if group_id and members:
            groups[group_id] = members
    return groups


# CloudFront fails over only GET, HEAD and OPTIONS, and refuses an origin group on a behaviour that
# allows anything else (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/high_availability_origin_failover.html).
# The message is AWS's own.
_ORIGIN_GROUP_WRITES = (
    "The parameter AllowedMethods cannot include POST, PUT, PATCH, or DELETE for a cached "
    "behavior associated with an origin group."
)
_WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def _origin_group_with_writes(body: bytes) -> Response | None:
    """AWS's InvalidArgument when a behaviour targets an origin group and allows writes."""
    try:
        root = ET.fromstring(body)  # noqa: S314 - local clients only
    except ET.ParseError:
        return None
    # CreateDistributionWithTags wraps the DistributionConfig in a DistributionConfigWithTags.
    config = root.find("{*}DistributionConfig")
    if config is not None:
        root = config
    groups = {
        g.findtext("{*}Id") for g in root.iterfind(".//{*}OriginGroups/{*}Items/{*}OriginGroup")
    }
    behaviours = [
        *root.iterfind("{*}DefaultCacheBehavior"),
        *root.iterfind("{*}CacheBehaviors/{*}Items/{*}CacheBehavior"),
    ]
    for behaviour in behaviours:
        if behaviour.findtext("{*}TargetOriginId") not in groups:
            continue
        methods = {
            (m.text or "").strip()
            for m in behaviour.iterfind("{*}AllowedMethods/{*}Items/{*}Method")
        }
        if methods & _WRITE_METHODS:
            return _error(400, "InvalidArgument", _ORIGIN_GROUP_WRITES)
    return None


_DEFAULT_CERTIFICATE = "<CloudFrontDefaultCertificate>true</CloudFrontDefaultCertificate>"
_MINIMUM_PROTOCOL = re.compile(r"<MinimumProtocolVersion>[^<]*</MinimumProtocolVersion>")


def _as_aws_stores(body: bytes) -> bytes:
    """With the default certificate AWS stores MinimumProtocolVersion TLSv1 whatever is sent.

    https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_ViewerCertificate.html: "If the
    distribution uses the CloudFront domain name ... CloudFront automatically sets the security
    policy to TLSv1 regardless of the value that you set here". A configuration asking for more
    therefore never converges, on AWS and here.
    """
    text = body.decode("utf-8", "replace")

    def certificate(match: re.Match[str]) -> str:
        block = match.group(0)
        if _DEFAULT_CERTIFICATE not in block:
            return block
        version = "<MinimumProtocolVersion>TLSv1</MinimumProtocolVersion>"
        if _MINIMUM_PROTOCOL.search(block):
            return _MINIMUM_PROTOCOL.sub(version, block)
        return block.replace("</ViewerCertificate>", f"{version}</ViewerCertificate>")

    return _VIEWER_CERTIFICATE.sub(certificate, text).encode()


def _first_text(body: bytes, tag: str) -> str | None:
    match = re.search(rf"<{tag}>([^<]*)</{tag}>", body.decode("utf-8", "replace"))
    return match.group(1) if match else None


_BEHAVIOUR = re.compile(
    r"<(?P<tag>DefaultCacheBehavior|CacheBehavior)>(?P<body>.*?)</(?P=tag)>", re.DOTALL
)
_FORWARDED_VALUES = re.compile(r"<ForwardedValues>.*?</ForwardedValues>", re.DOTALL)
_VIEWER_CERTIFICATE = re.compile(r"<ViewerCertificate>.*?</ViewerCertificate>", re.DOTALL)


def _as_aws_reports(text: str) -> str:
    """Drop what CloudFront itself would not report for this configuration."""

    def behaviour(match: re.Match[str]) -> str:
        body = match.group("body")
        if re.search(r"<CachePolicyId>[^<]+</CachePolicyId>", body):
            body = _FORWARDED_VALUES.sub("", body)
        return f"<{match.group('tag')}>{body}</{match.group('tag')}>"

    def certificate(match: re.Match[str]) -> str:
        block = match.group(0)
        if "<CloudFrontDefaultCertificate>true</CloudFrontDefaultCertificate>" in block:
            block = re.sub(r"<SSLSupportMethod>[^<]*</SSLSupportMethod>", "", block)
        return block

    return _VIEWER_CERTIFICATE.sub(certificate, _BEHAVIOUR.sub(behaviour, text))
