"""CloudFront's request-handling rules as pure functions: matching, cache keys, TTLs, forwarding.

Each function cites the CloudFront documentation it follows; ``devstack.edge.server`` strings them
together for one viewer request. Nothing here does I/O, so the unit tests drive it from config
values directly.
"""

from __future__ import annotations

import email.utils
import re
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from devstack.edge.config import Behaviour, CachePolicy, Distribution, KeyItems, OriginRequestPolicy

DEV_GUIDE = "https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide"


# -- behaviours by path pattern --------------------------------------------------------------------
@lru_cache(maxsize=256)
def _pattern_regex(pattern: str) -> re.Pattern[str]:
    # {DEV_GUIDE}/DownloadDistValuesCacheBehavior.html#DownloadDistValuesPathPattern: "*" matches 0
    # or more characters, "?" exactly one; matching is case sensitive; a leading "/" is optional.
    body = "".join(
        ".*" if char == "*" else "." if char == "?" else re.escape(char)
        for char in pattern.lstrip("/")
    )
    return re.compile(rf"\A/?{body}\Z", re.DOTALL)


def path_matches(pattern: str, path: str) -> bool:
    return _pattern_regex(pattern).match(path.lstrip("/")) is not None or (
        pattern.strip("/") == "" and path in ("", "/")
    )


def match_behaviour(distribution: Distribution, path: str) -> Behaviour:
    """The first cache behaviour (in the order of the DistributionConfig) whose pattern matches.

    The default cache behaviour ("*") is always processed last ({DEV_GUIDE}/
    DownloadDistValuesCacheBehavior.html: "If you create additional cache behaviors, the default
    cache behavior is always the last to be processed. Other cache behaviors are processed in the
    order in which they're listed").
    """
    for behaviour in distribution.behaviours:
        if path_matches(behaviour.path_pattern, path):
            return behaviour
    return distribution.default_behaviour


# -- what is cached, and for how long --------------------------------------------------------------
# {DEV_GUIDE}/HTTPStatusCodes.html#HTTPStatusCodes-cached-errors: the 4xx/5xx codes CloudFront
# caches.
# 416 is listed for custom error pages but "CloudFront doesn't cache status code 416 responses"
# ({DEV_GUIDE}/custom-error-pages-expiration.html).
CACHED_ERROR_CODES = frozenset({400, 403, 404, 405, 414, 500, 501, 502, 503, 504})
# {DEV_GUIDE}/custom-error-pages-expiration.html: "CloudFront caches error responses for a default
# duration of 10 seconds".
DEFAULT_ERROR_CACHING_MIN_TTL = 10
# Same page: no-store / no-cache / private stop error caching only for these codes.
_ERRORS_HONOURING_NO_STORE = frozenset({404, 410, 414, 501})
# {DEV_GUIDE}/Expiration.html: CloudFront caches 200, 203, 300, 301, 410 (and 206/304 handled
# specially; not modelled) responses by the object TTLs.
CACHEABLE_SUCCESS_CODES = frozenset({200, 203, 300, 301, 410})


@dataclass(frozen=True)
class Directives:
    max_age: int | None
    s_maxage: int | None
    expires_in: int | None
    no_store: bool  # no-store, no-cache or private


def cache_directives(headers: Iterable[tuple[str, str]], now: float | None = None) -> Directives:
    max_age = s_maxage = expires_in = None
    no_store = False
    for name, value in headers:
        lowered = name.lower()
        if lowered == "cache-control":
            for part in value.split(","):
                key, _, argument = part.strip().lower().partition("=")
                if key in ("no-store", "no-cache", "private"):
                    no_store = True
                elif key in ("max-age", "s-maxage") and argument.strip('"').isdigit():
                    if key == "max-age":
                        max_age = int(argument.strip('"'))
                    else:
                        s_maxage = int(argument.strip('"'))
        elif lowered == "expires":
            parsed = email.utils.parsedate_to_datetime(value) if value.strip() else None
            if parsed is not None:
                moment = time.time() if now is None else now
                expires_in = max(0, int(parsed.timestamp() - moment))
    return Directives(max_age, s_maxage, expires_in, no_store)


def object_ttl(min_ttl: int, default_ttl: int, max_ttl: int, directives: Directives) -> int:
    """Seconds CloudFront keeps a cacheable response ({DEV_GUIDE}/Expiration.html).

    - s-maxage wins over max-age, which wins over Expires; the value is clamped to [MinTTL, MaxTTL];
    - without any of them, DefaultTTL (itself at most MaxTTL);
    - no-store / no-cache / private: not cached when MinTTL is 0, else cached for MinTTL.
    """
    if directives.no_store:
        return min_ttl
    origin = next(
        (
            value
            for value in (directives.s_maxage, directives.max_age, directives.expires_in)
            if value is not None
        ),
        None,
    )
    if origin is None:
        return max(min_ttl, min(default_ttl, max_ttl))
    return max(min_ttl, min(origin, max_ttl))


def error_ttl(status: int, distribution: Distribution, max_ttl: int, directives: Directives) -> int:
    """Seconds CloudFront keeps an error response ({DEV_GUIDE}/custom-error-pages-expiration.html).

    The greater of the origin's max-age / s-maxage / Expires (at most the behaviour's MaxTTL) and
    the Error Caching Minimum TTL (10 s unless a custom error response sets it). no-store /
    no-cache / private stop it only for 404, 410, 414 and 501. This applies whatever the cache
    policy says: the error-caching TTL is a distribution setting, not a cache policy one.
    """
    if status not in CACHED_ERROR_CODES:
        return 0
    if directives.no_store and status in _ERRORS_HONOURING_NO_STORE:
        return 0
    configured = distribution.error_responses.get(status)
    minimum = DEFAULT_ERROR_CACHING_MIN_TTL
    if configured is not None and configured.error_caching_min_ttl is not None:
        minimum = configured.error_caching_min_ttl
    origin = next(
        (
            value
            for value in (directives.s_maxage, directives.max_age, directives.expires_in)
            if value is not None
        ),
        None,
    )
    return max(minimum, min(origin, max_ttl)) if origin is not None else minimum


def caching_disabled(policy: CachePolicy) -> bool:
    """All TTLs 0: nothing is cached by the object TTLs (Managed-CachingDisabled)."""
    return policy.min_ttl == 0 and policy.default_ttl == 0 and policy.max_ttl == 0


# -- the cache key ---------------------------------------------------------------------------------
def _selected(items: KeyItems, pairs: Sequence[tuple[str, str]], case_sensitive: bool) -> list[str]:
    def norm(name: str) -> str:
        return name if case_sensitive else name.lower()

    wanted = {norm(n) for n in items.names}
    if items.behavior in ("none", ""):
        return []
    if items.behavior == "whitelist":
        chosen = [(k, v) for k, v in pairs if norm(k) in wanted]
    elif items.behavior == "allExcept":
        chosen = [(k, v) for k, v in pairs if norm(k) not in wanted]
    else:  # all / allViewer / allViewerAndWhitelistCloudFront
        chosen = list(pairs)
    return sorted(f"{norm(k)}={v}" for k, v in chosen)


def accepted_encoding(accept_encoding: str, policy: CachePolicy) -> str:
    """The normalised Accept-Encoding CloudFront keys on: "br", "gzip" or "" (uncompressed).

    {DEV_GUIDE}/controlling-the-cache-key.html#cache-policy-compressed-objects: with Gzip/Brotli
    enabled in the cache policy CloudFront normalises the header to what it will serve.
    {DEV_GUIDE}/ServingCompressedFiles.html: "If the viewer supports both Gzip and Brotli,
    CloudFront uses Brotli."
    """
    tokens: set[str] = set()
    for part in accept_encoding.split(","):
        name, _, params = part.partition(";")
        quality = params.strip().lower()
        if quality.startswith("q=") and _zero(quality[2:]):
            continue
        if name.strip():
            tokens.add(name.strip().lower())
    if policy.brotli and "br" in tokens:
        return "br"
    if policy.gzip and "gzip" in tokens:
        return "gzip"
    return ""


def _zero(value: str) -> bool:
    try:
        return float(value) <= 0
    except ValueError:
        return False


def cache_key(
    distribution_id: str,
    method: str,
    path: str,
    query: Sequence[tuple[str, str]],
    headers: Sequence[tuple[str, str]],
    *,
    policy: CachePolicy,
) -> tuple[str, ...]:
    """What makes two viewer requests the same cached object.

    {DEV_GUIDE}/controlling-the-cache-key.html: the cache key is the URL path plus the headers,
    cookies and query strings the cache policy names (header names are case insensitive, cookie
    and query-string names case sensitive), plus the normalised Accept-Encoding when compression is
    enabled. GET and HEAD share an object; OPTIONS responses are cached separately
    ({DEV_GUIDE}/DownloadDistValuesCacheBehavior.html#DownloadDistValuesCachedHTTPMethods).
    """
    cookies: list[tuple[str, str]] = []
    for name, value in headers:
        if name.lower() == "cookie":
            for part in value.split(";"):
                key, _, cookie_value = part.strip().partition("=")
                if key:
                    cookies.append((key, cookie_value))
    plain_headers = [(k, v) for k, v in headers if k.lower() not in ("cookie", "accept-encoding")]
    encoding = accepted_encoding(
        next((v for k, v in headers if k.lower() == "accept-encoding"), ""), policy
    )
    return (
        distribution_id,
        "OPTIONS" if method == "OPTIONS" else "GET",
        path,
        "&".join(_selected(policy.query_strings, query, case_sensitive=True)),
        "|".join(_selected(policy.headers, plain_headers, case_sensitive=False)),
        "|".join(_selected(policy.cookies, cookies, case_sensitive=True)),
        encoding,
    )


# -- what reaches the origin -----------------------------------------------------------------------
# Headers CloudFront removes or replaces whatever the policies say
# ({DEV_GUIDE}/RequestAndResponseBehaviorCustomOrigin.html#request-custom-headers-behavior):
# hop-by-hop headers are not forwarded, Host becomes the origin's domain unless forwarded.
HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "proxy-connection",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "content-length",
    }
)


def forwarded_headers(
    method: str,
    headers: Sequence[tuple[str, str]],
    cache_policy: CachePolicy,
    origin_request_policy: OriginRequestPolicy | None,
) -> list[tuple[str, str]]:
    """The viewer headers that reach the origin.

    - the headers in the cache key, and those the origin request policy selects
      ({DEV_GUIDE}/controlling-origin-requests.html: "all URL query strings, HTTP headers, and
      cookies that you include in the cache key ... are automatically included in origin
      requests");
    - Authorization: for GET/HEAD (and cached OPTIONS) it reaches the origin only when it is in the
      cache key, or when the origin request policy forwards it and caching is disabled (all TTLs
      0); other methods always forward it ({DEV_GUIDE}/add-origin-custom-headers.html#add-origin-
      custom-headers-forward-authorization, https://repost.aws/knowledge-center/cloudfront-authorization-header);
    - Accept-Encoding: CloudFront sends its normalised value when compression is enabled;
    - Host is handled by the caller (the origin's domain unless the policy forwards it).
    """
    in_key = _names(cache_policy.headers, headers)
    by_policy = _names(origin_request_policy.headers, headers) if origin_request_policy else set()
    selected: list[tuple[str, str]] = []
    for name, value in headers:
        lowered = name.lower()
        if lowered in HOP_BY_HOP or lowered in ("accept-encoding", "cookie"):
            continue
        if lowered == "authorization":
            in_policy = lowered in by_policy and caching_disabled(cache_policy)
            if lowered in in_key or method not in ("GET", "HEAD", "OPTIONS") or in_policy:
                selected.append((name, value))
            continue
        if lowered in in_key or lowered in by_policy:
            selected.append((name, value))
    cookies = [v for k, v in headers if k.lower() == "cookie"]
    cookie_items = [cache_policy.cookies]
    if origin_request_policy is not None:
        cookie_items.append(origin_request_policy.cookies)
    if cookies and any(items.behavior not in ("none", "") for items in cookie_items):
        selected.append(("Cookie", "; ".join(cookies)))
    encoding = next((v for k, v in headers if k.lower() == "accept-encoding"), "")
    if cache_policy.gzip or cache_policy.brotli:
        normalised = accepted_encoding(encoding, cache_policy)
        if normalised:
            selected.append(("Accept-Encoding", normalised))
    elif encoding and ("accept-encoding" in in_key or "accept-encoding" in by_policy):
        selected.append(("Accept-Encoding", encoding))
    return selected


def _names(items: KeyItems, headers: Sequence[tuple[str, str]]) -> set[str]:
    present = {k.lower() for k, _ in headers}
    wanted = {n.lower() for n in items.names}
    if items.behavior in ("none", ""):
        return set()
    if items.behavior == "whitelist":
        return present & wanted
    if items.behavior == "allExcept":
        return present - wanted
    return present


def forwarded_query(
    query: Sequence[tuple[str, str]],
    cache_policy: CachePolicy,
    origin_request_policy: OriginRequestPolicy | None,
) -> list[tuple[str, str]]:
    """Query strings in the cache key or selected by the origin request policy, in viewer order."""
    policies = [cache_policy.query_strings]
    if origin_request_policy is not None:
        policies.append(origin_request_policy.query_strings)
    kept: list[tuple[str, str]] = []
    for name, value in query:
        for items in policies:
            if (
                items.behavior == "all"
                or (items.behavior == "whitelist" and name in items.names)
                or (items.behavior == "allExcept" and name not in items.names)
            ):
                kept.append((name, value))
                break
    return kept


def forwards_host(
    cache_policy: CachePolicy, origin_request_policy: OriginRequestPolicy | None
) -> bool:
    """Whether the viewer's Host reaches the origin (else CloudFront sends the origin's domain)."""
    for items in (
        cache_policy.headers,
        *([origin_request_policy.headers] if origin_request_policy else []),
    ):
        names = {n.lower() for n in items.names}
        if items.behavior in ("allViewer", "allViewerAndWhitelistCloudFront", "all"):
            return True
        if items.behavior == "whitelist" and "host" in names:
            return True
        if items.behavior == "allExcept" and "host" not in names:
            return True
    return False


# -- compression -----------------------------------------------------------------------------------
# {DEV_GUIDE}/ServingCompressedFiles.html#compressed-content-cloudfront-file-types (abridged to the
# types an API serves) and #compressed-content-cloudfront-notes: 1,000 to 10,000,000 bytes, no
# Content-Encoding from the origin.
COMPRESSIBLE_TYPES = frozenset(
    {
        "application/json",
        "application/javascript",
        "application/problem+json",
        "application/xml",
        "application/x-javascript",
        "application/vnd.api+json",
        "image/svg+xml",
        "text/css",
        "text/csv",
        "text/html",
        "text/javascript",
        "text/plain",
        "text/xml",
    }
)
MIN_COMPRESS_BYTES = 1000
MAX_COMPRESS_BYTES = 10_000_000


def compressible(content_type: str, size: int, already_encoded: bool) -> bool:
    base = content_type.split(";", maxsplit=1)[0].strip().lower()
    return (
        not already_encoded
        and base in COMPRESSIBLE_TYPES
        and MIN_COMPRESS_BYTES <= size <= MAX_COMPRESS_BYTES
    )


def host_of(headers: Sequence[tuple[str, str]]) -> str:
    return next((v for k, v in headers if k.lower() == "host"), "")


def header(headers: Sequence[tuple[str, str]], name: str) -> str | None:
    lowered = name.lower()
    return next((v for k, v in headers if k.lower() == lowered), None)


def without(headers: Iterable[tuple[str, str]], *names: str) -> list[tuple[str, str]]:
    dropped = {n.lower() for n in names}
    return [(k, v) for k, v in headers if k.lower() not in dropped]
