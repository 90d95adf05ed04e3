"""Suite: the edge (CloudFront) as a client meets it, on AWS and on the devstack's local edge.

- no 4xx answer is served stale once the state changes (404 profile -> create -> 200 at once):
  CloudFront caches errors for 10 s unless error_caching_min_ttl says otherwise
  (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/custom-error-pages-expiration.html);
- a response to one caller (Authorization) is never served to another;
- CloudFront's own 403 for a method the behaviour does not allow, and for a GET with a body
  (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/RequestAndResponseBehaviorCustomOrigin.html);
- the response headers policy's security headers on successes and errors alike;
- "/" is the default root object (the health document).

The WAF cases (origin header, rate limit, SQLi/XSS) live with the WAF suite.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
import requests
from e2e_support.api import Api, expect_error, expect_status
from e2e_support.target import Target
from e2e_support.users import User

SECURITY_HEADERS = {
    "Strict-Transport-Security": "max-age=63072000; includeSubDomains; preload",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
}


@pytest.fixture(autouse=True)
def _through_the_edge(api: Api) -> None:
    if api.via != "edge":
        pytest.skip("the edge cases need the API through the edge (E2E_VIA=edge)")


def test_a_404_is_not_served_after_the_profile_exists(api: Api, user: User) -> None:
    expect_error(api.get("/profiles/me", token=user.id_token), 404)
    expect_error(api.get("/profiles/me", token=user.id_token), 404)  # a second one, maybe cached
    created = api.post("/profiles", token=user.id_token, json_body={"display_name": "Edge"})
    expect_status(created, 201)
    # At once: no sleep, no polling. A cached 404 here is the bug.
    read = api.get("/profiles/me", token=user.id_token)
    expect_status(read, 200)
    assert read.json()["display_name"] == "Edge"
    expect_status(api.delete("/profiles/me", token=user.id_token), 204)
    expect_error(api.get("/profiles/me", token=user.id_token), 404)


def test_a_callers_answer_is_never_served_to_another(
    api: Api, new_user: Callable[[], User]
) -> None:
    alice, bob = new_user(), new_user()
    expect_status(
        api.post("/profiles", token=alice.id_token, json_body={"display_name": "Alice"}), 201
    )
    for _ in range(3):
        mine = api.get("/profiles/me", token=alice.id_token)
        expect_status(mine, 200)
        assert mine.json()["display_name"] == "Alice"
        # Same URL, another Authorization: Bob has no profile and must not see Alice's.
        expect_error(api.get("/profiles/me", token=bob.id_token), 404)
        # And no credential at all: the gateway's 401, not a cached answer.
        expect_error(api.get("/profiles/me"), 401)


def test_a_method_the_edge_does_not_allow_gets_cloudfronts_403(api: Api) -> None:
    response = api.request("PURGE", "/health")
    assert response.status_code == 403, response.text[:300]
    assert "not configured to allow the HTTP request method" in response.text
    assert response.headers.get("X-Cache") == "Error from cloudfront"


def test_a_get_with_a_body_gets_cloudfronts_403(api: Api) -> None:
    response = api.request("GET", "/health", data=b"{}")
    assert response.status_code == 403, response.text[:300]
    assert response.headers.get("X-Cache") == "Error from cloudfront"


@pytest.mark.parametrize("case", ["success", "client error", "unauthenticated"])
def test_security_headers_on_every_answer(api: Api, user: User, case: str) -> None:
    if case == "success":
        response = api.get("/health")
        expect_status(response, 200)
    elif case == "client error":
        response = api.get("/profiles/me", token=user.id_token)
        expect_status(response, 404)
    else:
        response = api.get("/profiles/me")
        expect_status(response, 401)
    for name, value in SECURITY_HEADERS.items():
        assert response.headers.get(name) == value, (name, dict(response.headers))
    assert "cloudfront" in response.headers.get("Via", "").lower()


def test_the_root_is_the_health_document(target: Target, api: Api) -> None:
    assert target.edge_url is not None
    response = requests.get(f"{target.edge_url}/", timeout=api.timeout)
    expect_status(response, 200)
    assert response.json() == {"status": "ok", "region": target.active_region}
