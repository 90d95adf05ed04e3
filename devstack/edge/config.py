"""A CloudFront distribution's configuration, as typed values read from the CloudFront API's XML.

The edge reads exactly what ``GetDistributionConfig``, ``GetCachePolicyConfig``,
``GetOriginRequestPolicyConfig`` and ``GetResponseHeadersPolicyConfig`` answer (the same documents
Terraform reads back), so nothing here knows about moto or about our fillers. Element names are
the API's: https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_DistributionConfig.html
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Origin:
    origin_id: str
    domain_name: str
    origin_path: str = ""  # "/prefix" or ""
    custom_headers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class OriginGroup:
    group_id: str
    members: tuple[str, ...]  # origin ids, primary first
    failover_status_codes: frozenset[int]


@dataclass(frozen=True)
class Behaviour:
    path_pattern: str  # "*" for the default cache behaviour
    target_origin_id: str
    allowed_methods: frozenset[str]
    cached_methods: frozenset[str]
    compress: bool = False
    cache_policy_id: str | None = None
    origin_request_policy_id: str | None = None
    response_headers_policy_id: str | None = None
    # Legacy cache settings (no cache policy): TTLs and ForwardedValues.
    legacy_ttl: tuple[int, int, int] = (0, 86400, 31536000)  # min, default, max
    legacy_headers: tuple[str, ...] = ()
    legacy_query_string: bool = False


@dataclass(frozen=True)
class ErrorResponse:
    error_code: int
    error_caching_min_ttl: int | None
    response_page_path: str | None = None
    response_code: int | None = None


@dataclass(frozen=True)
class Distribution:
    distribution_id: str
    domain_name: str
    aliases: tuple[str, ...]
    enabled: bool
    default_root_object: str
    web_acl_id: str
    origins: dict[str, Origin]
    origin_groups: dict[str, OriginGroup]
    default_behaviour: Behaviour
    behaviours: tuple[Behaviour, ...]  # ordered cache behaviours, default excluded
    error_responses: dict[int, ErrorResponse] = field(default_factory=dict)


@dataclass(frozen=True)
class KeyItems:
    """One of the header / cookie / query-string settings of a policy."""

    behavior: (
        str  # none | whitelist | allExcept | all | allViewer | allViewerAndWhitelistCloudFront
    )
    names: tuple[str, ...] = ()


@dataclass(frozen=True)
class CachePolicy:
    min_ttl: int
    default_ttl: int
    max_ttl: int
    headers: KeyItems
    cookies: KeyItems
    query_strings: KeyItems
    gzip: bool
    brotli: bool


@dataclass(frozen=True)
class OriginRequestPolicy:
    headers: KeyItems
    cookies: KeyItems
    query_strings: KeyItems


@dataclass(frozen=True)
class CorsConfig:
    allow_origins: tuple[str, ...]
    allow_headers: tuple[str, ...]
    allow_methods: tuple[str, ...]
    allow_credentials: bool
    expose_headers: tuple[str, ...]
    max_age_sec: int | None
    origin_override: bool


@dataclass(frozen=True)
class ResponseHeadersPolicy:
    # (header, value, override): security headers and custom headers alike.
    headers: tuple[tuple[str, str, bool], ...]
    remove: tuple[str, ...] = ()
    cors: CorsConfig | None = None


# -- XML -------------------------------------------------------------------------------------------
def _parse(body: bytes) -> ET.Element:
    return ET.fromstring(body)  # noqa: S314 - documents from our own emulator


def _text(element: ET.Element | None, path: str, default: str = "") -> str:
    if element is None:
        return default
    found = element.find(path)
    return (found.text or "").strip() if found is not None and found.text else default


def _bool(element: ET.Element | None, path: str) -> bool:
    return _text(element, path).lower() == "true"


def _int(element: ET.Element | None, path: str, default: int) -> int:
    value = _text(element, path)
    return int(value) if value.lstrip("-").isdigit() else default


def _items(element: ET.Element | None, path: str) -> list[str]:
    if element is None:
        return []
    return [(item.text or "").strip() for item in element.iterfind(path)]


def _behaviour(element: ET.Element, default: bool) -> Behaviour:
    allowed = element.find("{*}AllowedMethods")
    methods = _items(allowed, "{*}Items/{*}Method") or ["GET", "HEAD"]
    cached = _items(allowed, "{*}CachedMethods/{*}Items/{*}Method") or ["GET", "HEAD"]
    forwarded = element.find("{*}ForwardedValues")
    return Behaviour(
        path_pattern="*" if default else _text(element, "{*}PathPattern", "*"),
        target_origin_id=_text(element, "{*}TargetOriginId"),
        allowed_methods=frozenset(m.upper() for m in methods),
        cached_methods=frozenset(m.upper() for m in cached),
        compress=_bool(element, "{*}Compress"),
        cache_policy_id=_text(element, "{*}CachePolicyId") or None,
        origin_request_policy_id=_text(element, "{*}OriginRequestPolicyId") or None,
        response_headers_policy_id=_text(element, "{*}ResponseHeadersPolicyId") or None,
        legacy_ttl=(
            _int(element, "{*}MinTTL", 0),
            _int(element, "{*}DefaultTTL", 86400),
            _int(element, "{*}MaxTTL", 31536000),
        ),
        legacy_headers=tuple(_items(forwarded, "{*}Headers/{*}Items/{*}Name")),
        legacy_query_string=_bool(forwarded, "{*}QueryString"),
    )


def parse_distribution_config(distribution_id: str, domain_name: str, body: bytes) -> Distribution:
    """A ``DistributionConfig`` document (GetDistributionConfig's answer)."""
    root = _parse(body)
    origins: dict[str, Origin] = {}
    for item in root.iterfind("{*}Origins/{*}Items/{*}Origin"):
        origin = Origin(
            origin_id=_text(item, "{*}Id"),
            domain_name=_text(item, "{*}DomainName"),
            origin_path=_text(item, "{*}OriginPath").rstrip("/"),
            custom_headers=tuple(
                (_text(h, "{*}HeaderName"), _text(h, "{*}HeaderValue"))
                for h in item.iterfind("{*}CustomHeaders/{*}Items/{*}OriginCustomHeader")
            ),
        )
        origins[origin.origin_id] = origin
    groups: dict[str, OriginGroup] = {}
    for item in root.iterfind("{*}OriginGroups/{*}Items/{*}OriginGroup"):
        group = OriginGroup(
            group_id=_text(item, "{*}Id"),
            members=tuple(_items(item, "{*}Members/{*}Items/{*}OriginGroupMember/{*}OriginId")),
            failover_status_codes=frozenset(
                int(code)
                for code in _items(
                    item, "{*}FailoverCriteria/{*}StatusCodes/{*}Items/{*}StatusCode"
                )
                if code.isdigit()
            ),
        )
        groups[group.group_id] = group
    default = root.find("{*}DefaultCacheBehavior")
    if default is None:
        raise ValueError(f"distribution {distribution_id} has no DefaultCacheBehavior")
    errors: dict[int, ErrorResponse] = {}
    for item in root.iterfind("{*}CustomErrorResponses/{*}Items/{*}CustomErrorResponse"):
        code = _int(item, "{*}ErrorCode", 0)
        ttl = _text(item, "{*}ErrorCachingMinTTL")
        response_code = _text(item, "{*}ResponseCode")
        errors[code] = ErrorResponse(
            error_code=code,
            error_caching_min_ttl=int(ttl) if ttl.isdigit() else None,
            response_page_path=_text(item, "{*}ResponsePagePath") or None,
            response_code=int(response_code) if response_code.isdigit() else None,
        )
    return Distribution(
        distribution_id=distribution_id,
        domain_name=domain_name,
        aliases=tuple(_items(root, "{*}Aliases/{*}Items/{*}CNAME")),
        enabled=_bool(root, "{*}Enabled"),
        default_root_object=_text(root, "{*}DefaultRootObject"),
        web_acl_id=_text(root, "{*}WebACLId"),
        origins=origins,
        origin_groups=groups,
        default_behaviour=_behaviour(default, default=True),
        behaviours=tuple(
            _behaviour(item, default=False)
            for item in root.iterfind("{*}CacheBehaviors/{*}Items/{*}CacheBehavior")
        ),
        error_responses=errors,
    )


def _key_items(element: ET.Element | None, kind: str) -> KeyItems:
    """HeadersConfig / CookiesConfig / QueryStringsConfig."""
    config = element.find(f"{{*}}{kind}sConfig") if element is not None else None
    behavior = _text(config, f"{{*}}{kind}Behavior", "none")
    names = _items(config, f"{{*}}{kind}s/{{*}}Items/{{*}}Name")
    return KeyItems(behavior, tuple(names))


def parse_cache_policy(body: bytes) -> CachePolicy:
    """A ``CachePolicyConfig`` document."""
    root = _parse(body)
    params = root.find("{*}ParametersInCacheKeyAndForwardedToOrigin")
    return CachePolicy(
        min_ttl=_int(root, "{*}MinTTL", 0),
        default_ttl=_int(root, "{*}DefaultTTL", 86400),
        max_ttl=_int(root, "{*}MaxTTL", 31536000),
        headers=_key_items(params, "Header"),
        cookies=_key_items(params, "Cookie"),
        query_strings=_key_items(params, "QueryString"),
        gzip=_bool(params, "{*}EnableAcceptEncodingGzip"),
        brotli=_bool(params, "{*}EnableAcceptEncodingBrotli"),
    )


def parse_origin_request_policy(body: bytes) -> OriginRequestPolicy:
    """An ``OriginRequestPolicyConfig`` document."""
    root = _parse(body)
    return OriginRequestPolicy(
        headers=_key_items(root, "Header"),
        cookies=_key_items(root, "Cookie"),
        query_strings=_key_items(root, "QueryString"),
    )


# Security headers of a response headers policy: element -> (header, how its value is built).
def _security_headers(config: ET.Element | None) -> list[tuple[str, str, bool]]:
    if config is None:
        return []
    headers: list[tuple[str, str, bool]] = []
    hsts = config.find("{*}StrictTransportSecurity")
    if hsts is not None:
        value = f"max-age={_int(hsts, '{*}AccessControlMaxAgeSec', 0)}"
        if _bool(hsts, "{*}IncludeSubdomains"):
            value += "; includeSubDomains"
        if _bool(hsts, "{*}Preload"):
            value += "; preload"
        headers.append(("Strict-Transport-Security", value, _bool(hsts, "{*}Override")))
    nosniff = config.find("{*}ContentTypeOptions")
    if nosniff is not None:
        headers.append(("X-Content-Type-Options", "nosniff", _bool(nosniff, "{*}Override")))
    frame = config.find("{*}FrameOptions")
    if frame is not None:
        headers.append(
            ("X-Frame-Options", _text(frame, "{*}FrameOption"), _bool(frame, "{*}Override"))
        )
    referrer = config.find("{*}ReferrerPolicy")
    if referrer is not None:
        headers.append(
            (
                "Referrer-Policy",
                _text(referrer, "{*}ReferrerPolicy"),
                _bool(referrer, "{*}Override"),
            )
        )
    xss = config.find("{*}XSSProtection")
    if xss is not None:
        value = "1" if _bool(xss, "{*}Protection") else "0"
        if _bool(xss, "{*}Protection") and _bool(xss, "{*}ModeBlock"):
            value += "; mode=block"
        report = _text(xss, "{*}ReportUri")
        if report and _bool(xss, "{*}Protection"):
            value += f"; report={report}"
        headers.append(("X-XSS-Protection", value, _bool(xss, "{*}Override")))
    csp = config.find("{*}ContentSecurityPolicy")
    if csp is not None:
        headers.append(
            (
                "Content-Security-Policy",
                _text(csp, "{*}ContentSecurityPolicy"),
                _bool(csp, "{*}Override"),
            )
        )
    return headers


def parse_response_headers_policy(body: bytes) -> ResponseHeadersPolicy:
    """A ``ResponseHeadersPolicyConfig`` document."""
    root = _parse(body)
    headers = _security_headers(root.find("{*}SecurityHeadersConfig"))
    for item in root.iterfind(
        "{*}CustomHeadersConfig/{*}Items/{*}ResponseHeadersPolicyCustomHeader"
    ):
        headers.append(
            (_text(item, "{*}Header"), _text(item, "{*}Value"), _bool(item, "{*}Override"))
        )
    cors_element = root.find("{*}CorsConfig")
    cors = None
    if cors_element is not None:
        max_age = _text(cors_element, "{*}AccessControlMaxAgeSec")
        cors = CorsConfig(
            allow_origins=tuple(
                _items(cors_element, "{*}AccessControlAllowOrigins/{*}Items/{*}Origin")
            ),
            allow_headers=tuple(
                _items(cors_element, "{*}AccessControlAllowHeaders/{*}Items/{*}Header")
            ),
            allow_methods=tuple(
                _items(cors_element, "{*}AccessControlAllowMethods/{*}Items/{*}Method")
            ),
            allow_credentials=_bool(cors_element, "{*}AccessControlAllowCredentials"),
            expose_headers=tuple(
                _items(cors_element, "{*}AccessControlExposeHeaders/{*}Items/{*}Header")
            ),
            max_age_sec=int(max_age) if max_age.isdigit() else None,
            origin_override=_bool(cors_element, "{*}OriginOverride"),
        )
    remove = tuple(
        _items(
            root, "{*}RemoveHeadersConfig/{*}Items/{*}ResponseHeadersPolicyRemoveHeader/{*}Header"
        )
    )
    return ResponseHeadersPolicy(headers=tuple(headers), remove=remove, cors=cors)
