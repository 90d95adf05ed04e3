"""The local edge, driven from configuration values: each case is one CloudFront rule.

Sources are cited in devstack/edge/rules.py and devstack/edge/server.py next to each rule.
"""

from __future__ import annotations

import gzip
import json

from devstack.edge import rules
from devstack.edge.config import CachePolicy, KeyItems, OriginGroup, ResponseHeadersPolicy
from devstack.edge.server import ViewerRequest
from devstack.waf import WafBlock
from devstack.wsgi import Response

from .edge_support import (
    CACHING_DISABLED,
    NONE,
    StaticConfig,
    behaviour,
    distribution,
    error_responses,
    make_edge,
    origin,
    viewer,
)

AUTH_KEYED = CachePolicy(
    0, 60, 300, KeyItems("whitelist", ("Authorization",)), NONE, KeyItems("all"), False, False
)


def _status(code: int, **headers: str) -> Response:
    return Response(code, [("Content-Type", "application/json"), *headers.items()], b'{"x":1}')


# -- path patterns and precedence ------------------------------------------------------------------
def test_path_patterns_wildcards_and_case() -> None:
    assert rules.path_matches("/v1/*", "/v1/profiles/me")
    assert rules.path_matches("v1/*", "/v1/profiles/me")  # leading "/" optional
    assert rules.path_matches("*.jpg", "/images/a.jpg")
    assert rules.path_matches("/v?/health", "/v1/health")
    assert not rules.path_matches("/v?/health", "/v10/health")  # ? is exactly one character
    assert not rules.path_matches("/V1/*", "/v1/health")  # case sensitive
    assert rules.path_matches("*", "/anything")


def test_first_listed_behaviour_wins_and_default_is_last() -> None:
    first = behaviour("/v1/*", target="a")
    second = behaviour("/v1/health", target="b")
    dist = distribution(behaviours=(first, second), default_behaviour=behaviour(target="c"))
    assert rules.match_behaviour(dist, "/v1/health").target_origin_id == "a"
    assert rules.match_behaviour(dist, "/v2/x").target_origin_id == "c"


# -- methods ---------------------------------------------------------------------------------------
def test_disallowed_method_gets_cloudfronts_403_without_reaching_the_origin() -> None:
    dist = distribution(
        default_behaviour=behaviour(allowed_methods=frozenset({"GET", "HEAD", "OPTIONS"}))
    )
    edge, fetcher, _, _ = make_edge(dist)
    response = edge.handle(viewer("POST", "/v1/profiles", body=b"{}"))
    assert response.status == 403
    assert b"not configured to allow the HTTP request method" in response.body
    assert response.header("X-Cache") == "Error from cloudfront"
    assert response.header("Server") == "CloudFront"
    assert fetcher.calls == []


def test_get_with_a_body_is_refused() -> None:
    edge, fetcher, _, _ = make_edge()
    assert edge.handle(viewer("GET", body=b"x")).status == 403
    assert fetcher.calls == []


# -- cache policy ----------------------------------------------------------------------------------
def test_caching_disabled_always_reaches_the_origin() -> None:
    edge, fetcher, _, _ = make_edge()
    edge.handle(viewer())
    second = edge.handle(viewer())
    assert len(fetcher.calls) == 2
    assert second.header("X-Cache") == "Miss from cloudfront"


def test_cached_object_is_served_until_its_ttl_then_refetched() -> None:
    dist = distribution(default_behaviour=behaviour(cache_policy_id="keyed"))
    config = StaticConfig([dist])
    config.cache_policies["keyed"] = AUTH_KEYED
    edge, _, clock, _ = make_edge(config=config)
    first = edge.handle(viewer())
    hit = edge.handle(viewer())
    assert json.loads(first.body) == json.loads(hit.body) == {"call": 1}
    assert hit.header("X-Cache") == "Hit from cloudfront"
    clock.advance(60)  # DefaultTTL
    assert json.loads(edge.handle(viewer()).body) == {"call": 2}


def test_authorization_in_the_cache_key_separates_callers() -> None:
    dist = distribution(default_behaviour=behaviour(cache_policy_id="keyed"))
    config = StaticConfig([dist])
    config.cache_policies["keyed"] = AUTH_KEYED
    edge, fetcher, _, _ = make_edge(config=config)
    alice = edge.handle(viewer(headers=(("Authorization", "Bearer alice"),)))
    bob = edge.handle(viewer(headers=(("Authorization", "Bearer bob"),)))
    assert alice.body != bob.body
    assert len(fetcher.calls) == 2
    # ... and the key's header reaches the origin
    assert ("Authorization", "Bearer bob") in fetcher.calls[1][1].headers


def test_query_strings_in_the_key_only_as_configured() -> None:
    key = rules.cache_key("D", "GET", "/p", [("b", "2"), ("a", "1")], [], policy=AUTH_KEYED)
    same = rules.cache_key("D", "GET", "/p", [("a", "1"), ("b", "2")], [], policy=AUTH_KEYED)
    assert key == same  # order does not matter
    other = rules.cache_key("D", "GET", "/p", [("a", "9")], [], policy=AUTH_KEYED)
    assert key != other
    ignoring = rules.cache_key("D", "GET", "/p", [("a", "9")], [], policy=CACHING_DISABLED)
    assert ignoring == rules.cache_key("D", "GET", "/p", [], [], policy=CACHING_DISABLED)


def test_get_and_head_share_an_object_options_does_not() -> None:
    get = rules.cache_key("D", "GET", "/p", [], [], policy=CACHING_DISABLED)
    assert get == rules.cache_key("D", "HEAD", "/p", [], [], policy=CACHING_DISABLED)
    assert get != rules.cache_key("D", "OPTIONS", "/p", [], [], policy=CACHING_DISABLED)


def test_object_ttls_follow_cache_control() -> None:
    d = rules.cache_directives
    assert rules.object_ttl(0, 60, 300, d([])) == 60
    assert rules.object_ttl(0, 60, 300, d([("Cache-Control", "max-age=1000")])) == 300
    assert rules.object_ttl(10, 60, 300, d([("Cache-Control", "max-age=1")])) == 10
    assert rules.object_ttl(0, 60, 300, d([("Cache-Control", "max-age=5, s-maxage=100")])) == 100
    assert rules.object_ttl(0, 60, 300, d([("Cache-Control", "no-store")])) == 0
    assert rules.object_ttl(5, 60, 300, d([("Cache-Control", "private")])) == 5


def test_post_is_never_cached() -> None:
    dist = distribution(default_behaviour=behaviour(cache_policy_id="optimized"))
    edge, fetcher, _, _ = make_edge(dist)
    edge.handle(viewer("POST", body=b"{}"))
    edge.handle(viewer("POST", body=b"{}"))
    assert len(fetcher.calls) == 2


# -- error caching -------------------------------------------------------------------------------
def test_errors_are_cached_ten_seconds_by_default_even_with_caching_disabled() -> None:
    edge, fetcher, clock, _ = make_edge(answer=lambda o, r: _status(404))
    edge.handle(viewer())
    cached = edge.handle(viewer())
    assert len(fetcher.calls) == 1
    assert cached.status == 404
    assert cached.header("X-Cache") == "Hit from cloudfront"
    clock.advance(10)
    edge.handle(viewer())
    assert len(fetcher.calls) == 2


def test_error_caching_min_ttl_zero_is_never_served_stale() -> None:
    dist = distribution(error_responses=error_responses(404, 503, ttl=0))
    edge, fetcher, _, _ = make_edge(dist, answer=lambda o, r: _status(404))
    edge.handle(viewer())
    edge.handle(viewer())
    assert len(fetcher.calls) == 2


def test_error_ttl_rules() -> None:
    d = rules.cache_directives
    dist = distribution(error_responses=error_responses(503, ttl=30))
    assert rules.error_ttl(503, dist, 300, d([])) == 30
    assert rules.error_ttl(503, dist, 300, d([("Cache-Control", "max-age=100")])) == 100
    assert rules.error_ttl(404, dist, 300, d([("Cache-Control", "no-store")])) == 0
    assert rules.error_ttl(503, dist, 300, d([("Cache-Control", "no-store")])) == 30
    assert rules.error_ttl(416, dist, 300, d([])) == 0
    assert rules.error_ttl(409, dist, 300, d([])) == 0  # not a code CloudFront caches


# -- origin request --------------------------------------------------------------------------------
def test_origin_request_headers_host_forwarded_for_via_and_custom_headers() -> None:
    dist = distribution(origins={"api": origin(custom_headers=(("X-Origin-Verify", "secret"),))})
    edge, fetcher, _, _ = make_edge(dist)
    edge.handle(
        viewer(
            headers=(
                ("Authorization", "Bearer t"),
                ("X-Origin-Verify", "forged"),
                ("X-Forwarded-For", "203.0.113.7"),
                ("Connection", "keep-alive"),
            ),
            client_ip="127.0.0.5",
        )
    )
    sent = dict(fetcher.calls[0][1].headers)
    assert sent["Host"] == "abc123.execute-api.eu-west-1.amazonaws.com"
    assert sent["X-Origin-Verify"] == "secret"
    assert [v for k, v in fetcher.calls[0][1].headers if k == "X-Origin-Verify"] == ["secret"]
    assert sent["X-Forwarded-For"] == "203.0.113.7, 127.0.0.5"
    assert sent["Via"].endswith("(CloudFront)")
    assert sent["X-Amz-Cf-Id"]
    # AllViewerExceptHostHeader with caching disabled forwards Authorization
    assert sent["Authorization"] == "Bearer t"
    assert "Connection" not in sent


def test_authorization_is_dropped_for_get_when_caching_and_not_in_the_key() -> None:
    dist = distribution(default_behaviour=behaviour(cache_policy_id="optimized"))
    edge, fetcher, _, _ = make_edge(dist)
    edge.handle(viewer(headers=(("Authorization", "Bearer t"),)))
    assert "Authorization" not in dict(fetcher.calls[0][1].headers)
    edge.handle(viewer("DELETE", headers=(("Authorization", "Bearer t"),)))
    assert dict(fetcher.calls[1][1].headers)["Authorization"] == "Bearer t"


def test_origin_path_is_prepended_and_query_forwarded() -> None:
    dist = distribution(origins={"api": origin(origin_path="/prod")})
    edge, fetcher, _, _ = make_edge(dist)
    edge.handle(viewer(path="/v1/x", query="a=1&b=2"))
    request = fetcher.calls[0][1]
    assert request.path == "/prod/v1/x"
    assert request.query == (("a", "1"), ("b", "2"))


def test_default_root_object_only_for_the_root() -> None:
    dist = distribution(default_root_object="v1/health")
    edge, fetcher, _, _ = make_edge(dist)
    edge.handle(viewer(path="/"))
    edge.handle(viewer(path="/v1/"))
    assert [c[1].path for c in fetcher.calls] == ["/v1/health", "/v1/"]


# -- origin groups ---------------------------------------------------------------------------------
def _group_edge(statuses: dict[str, int]) -> tuple:  # type: ignore[type-arg]
    dist = distribution(
        origins={
            "a": origin("a", "aaa.execute-api.eu-west-1.amazonaws.com"),
            "b": origin("b", "bbb.execute-api.eu-central-1.amazonaws.com"),
        },
        origin_groups={"g": OriginGroup("g", ("a", "b"), frozenset({500, 502, 503, 504}))},
        default_behaviour=behaviour(target="g"),
        error_responses=error_responses(500, 502, 503, 504, ttl=0),
    )
    return make_edge(dist, answer=lambda o, r: _status(statuses[o.origin_id]))


def test_origin_group_fails_over_get_on_configured_codes() -> None:
    edge, fetcher, _, _ = _group_edge({"a": 503, "b": 200})
    assert edge.handle(viewer()).status == 200
    assert [o.origin_id for o, _ in fetcher.calls] == ["a", "b"]


def test_origin_group_does_not_fail_over_other_codes_or_writes() -> None:
    edge, _, _, _ = _group_edge({"a": 404, "b": 200})
    assert edge.handle(viewer()).status == 404
    edge2, fetcher2, _, _ = _group_edge({"a": 503, "b": 200})
    assert edge2.handle(viewer("POST", body=b"{}")).status == 503
    assert [o.origin_id for o, _ in fetcher2.calls] == ["a"]


# -- response --------------------------------------------------------------------------------------
def test_response_headers_policy_security_headers_and_override() -> None:
    policy = ResponseHeadersPolicy(
        headers=(
            ("Strict-Transport-Security", "max-age=63072000; includeSubDomains; preload", True),
            ("X-Frame-Options", "DENY", True),
            ("Referrer-Policy", "no-referrer", False),
        )
    )
    dist = distribution(default_behaviour=behaviour(response_headers_policy_id="sec"))
    config = StaticConfig([dist], response_policies={"sec": policy})
    edge, _, _, _ = make_edge(
        config=config,
        answer=lambda o, r: Response(
            200, [("X-Frame-Options", "SAMEORIGIN"), ("Referrer-Policy", "origin")], b"{}"
        ),
    )
    response = edge.handle(viewer())
    assert (
        response.header(
            "Strict-Transport-Security",
        )
        == "max-age=63072000; includeSubDomains; preload"
    )
    assert response.header("X-Frame-Options") == "DENY"  # override
    assert response.header("Referrer-Policy") == "origin"  # no override: origin's kept


def test_compression_when_the_cache_policy_enables_it() -> None:
    big = json.dumps({"items": ["x" * 50] * 40}).encode()
    dist = distribution(default_behaviour=behaviour(cache_policy_id="optimized", compress=True))
    edge, _, _, _ = make_edge(
        dist, answer=lambda o, r: Response(200, [("Content-Type", "application/json")], big)
    )
    response = edge.handle(viewer(headers=(("Accept-Encoding", "gzip, deflate"),)))
    assert response.header("Content-Encoding") == "gzip"
    assert gzip.decompress(response.body) == big
    plain = edge.handle(viewer(path="/other"))
    assert plain.header("Content-Encoding") is None
    assert plain.body == big


def test_no_compression_with_caching_disabled_or_small_bodies() -> None:
    big = b'{"a":"' + b"x" * 2000 + b'"}'
    edge, _, _, _ = make_edge(
        distribution(default_behaviour=behaviour(compress=True)),
        answer=lambda o, r: Response(200, [("Content-Type", "application/json")], big),
    )
    response = edge.handle(viewer(headers=(("Accept-Encoding", "gzip"),)))
    assert response.header("Content-Encoding") is None
    assert not rules.compressible("application/json", 999, already_encoded=False)


def test_web_acl_is_asked_with_the_viewer_request_and_its_block_is_the_answer() -> None:
    dist = distribution(web_acl_id="arn:aws:wafv2:us-east-1:123456789012:global/webacl/e/1")
    edge, fetcher, _, waf = make_edge(dist)
    edge.handle(viewer(query="q=1", client_ip="127.0.0.7"))
    seen = waf.seen[0]
    assert (seen.scope, seen.web_acl_arn, seen.client_ip) == (
        "CLOUDFRONT",
        dist.web_acl_id,
        "127.0.0.7",
    )
    waf.block = WafBlock(403, (("Content-Type", "text/html"),), b"blocked", "rule")
    response = edge.handle(viewer())
    assert response.status == 403
    assert response.body == b"blocked"
    assert len(fetcher.calls) == 1


def test_unknown_host_with_several_distributions_is_refused() -> None:
    one = distribution()
    two = distribution(distribution_id="E2", domain_name="d2.cloudfront.net")
    edge, _, _, _ = make_edge(config=StaticConfig([one, two]))
    assert edge.handle(viewer()).status == 403
    by_host = ViewerRequest(
        "GET", "/v1/health", "", (("Host", "d2.cloudfront.net"),), b"", "127.0.0.1"
    )
    assert edge.handle(by_host).status == 200
