"""The Lambda authorizer: Cognito (RS256, JWKS) and partner (HS256, a key per partner and key id).

Contracts under test (docs/security.md, docs/interfaces.md):
- the caller's identity and namespace come only from what was verified: a Cognito token is the
  user ``user:<sub>``; a partner token is the partner named by the ``kid`` of the key that verified
  it (``kid`` = ``<partner>/<key_id>``, ``sub`` must repeat the partner name);
- a rejected token is ``Exception("Unauthorized")`` (API Gateway's 401), an INFO log and the metric
  ``TokenRejected``; a dependency outage is an ERROR log, the metric ``AuthorizerFailure`` and a
  different exception (API Gateway's AUTHORIZER_FAILURE, mapped to 503 by the gateway response).
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import hmac
import http.server
import io
import json
import ssl
import threading
import time
import urllib.error
from collections.abc import Iterator

import jwt
import pytest
from botocore.exceptions import EndpointConnectionError
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from moto.cognitoidp.responses import CognitoIdpJsonWebKeyResponse
from test_faults import FailingClient, client_error
from unit_support import ACCOUNT_ID, API_ID, REGION, FakeLambdaContext

from meridian import aws
from meridian.auth import jwks as jwks_module
from meridian.auth.jwks import JwksCache, fetch_jwks
from meridian.auth.partner import PartnerKeyStore
from meridian.handlers import authorizer

POOL_ID = f"{REGION}_TestPool1"
ISSUER = f"https://cognito-idp.{REGION}.amazonaws.com/{POOL_ID}"
CLIENT_ID = "client123"
SECRET_PREFIX = "meridian-test/partner-keys/"
USAGE_PREFIX = "meridian-test-usage-"
# One key per (partner, key id), as Terraform creates them (decision 3): 64 characters each.
PARTNER_KEYS = {
    "acme/k1": "a" * 32 + "acme-k1-signing-key-0123456789ab",
    "acme/k2": "b" * 32 + "acme-k2-signing-key-0123456789ab",
    "globex/k1": "c" * 32 + "globex-k1-signing-key-012345678",
}
ACME_KEY = PARTNER_KEYS["acme/k1"]
ARN_BASE = f"arn:aws:execute-api:{REGION}:{ACCOUNT_ID}:{API_ID}/v1"
METHOD_ARN = f"{ARN_BASE}/GET/transactions"
ALL_METHODS = [
    f"{ARN_BASE}/GET/transactions",
    f"{ARN_BASE}/GET/transactions/*",
    f"{ARN_BASE}/POST/transactions",
]
SUB = "33333333-3333-4333-8333-333333333333"
BOTH_SCOPES = "transactions:read transactions:write"


def _rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


POOL_KEY = _rsa_key()
ROTATED_KEY = _rsa_key()
ATTACKER_KEY = _rsa_key()


def jwk(private_key: rsa.RSAPrivateKey, kid: str) -> dict:
    document = jwt.algorithms.RSAAlgorithm.to_jwk(private_key.public_key(), as_dict=True)
    return {**document, "kid": kid, "alg": "RS256", "use": "sig"}


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class JwksServer:
    """Stands in for the pool's /.well-known/jwks.json (the fetch function is patched)."""

    def __init__(self) -> None:
        self.keys = [jwk(POOL_KEY, "kid-1")]
        self.urls: list[str] = []
        self.fail = False

    def __call__(self, url: str) -> dict:
        self.urls.append(url)
        if self.fail:
            raise OSError("connection refused")
        return {"keys": self.keys}


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def jwks_server(monkeypatch, clock) -> JwksServer:
    server = JwksServer()
    cache = JwksCache(authorizer.CONFIG.jwks_url, fetch=server, clock=clock)
    monkeypatch.setattr(authorizer.verifier, "jwks", cache)
    return server


@dataclasses.dataclass
class PartnerSecrets:
    """The partner key secrets in moto's Secrets Manager and the store the authorizer uses."""

    store: PartnerKeyStore
    lookups: list[str]

    def create(self, kid: str, key: str) -> None:
        aws.client("secretsmanager").create_secret(
            Name=SECRET_PREFIX + kid, SecretString=json.dumps({"signing_key": key})
        )


@pytest.fixture
def partner_secrets(aws_backend, monkeypatch, clock) -> PartnerSecrets:
    lookups: list[str] = []

    class CountingClient:
        def get_secret_value(self, **kwargs):
            lookups.append(kwargs["SecretId"])
            return aws.client("secretsmanager").get_secret_value(**kwargs)

    store = PartnerKeyStore(SECRET_PREFIX, cache_seconds=300, client=CountingClient, clock=clock)
    monkeypatch.setattr(authorizer.verifier, "partner_keys", store)
    secrets = PartnerSecrets(store, lookups)
    for kid, key in PARTNER_KEYS.items():
        secrets.create(kid, key)
    return secrets


@pytest.fixture(autouse=True)
def _auth_backends(jwks_server, partner_secrets) -> None:
    """Every authorizer test gets a JWKS endpoint and the partner key secrets."""


def cognito_token(kind: str = "id", key=POOL_KEY, kid: str | None = "kid-1", **overrides) -> str:
    now = int(time.time())
    claims = {
        "sub": SUB,
        "iss": ISSUER,
        "token_use": kind,
        "iat": now,
        "exp": now + 3600,
        "auth_time": now,
        **({"aud": CLIENT_ID} if kind == "id" else {"client_id": CLIENT_ID, "scope": "openid"}),
        **overrides,
    }
    claims = {name: value for name, value in claims.items() if value is not None}
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": kid} if kid else None)


def partner_token(
    kid: object = "acme/k1",
    key: str | None = None,
    scope: object = BOTH_SCOPES,
    **overrides,
) -> str:
    """A partner token as a partner mints it: signed with its key, ``kid`` names that key."""
    partner = kid.split("/")[0] if isinstance(kid, str) else "acme"
    now = int(time.time())
    claims = {
        "sub": partner,
        "iss": "meridian-partners-test",
        "aud": "meridian-api-test",
        "iat": now,
        "exp": now + 600,
        "scope": scope,
        **overrides,
    }
    claims = {name: value for name, value in claims.items() if value is not None}
    signing_key = key if key is not None else PARTNER_KEYS.get(str(kid), ACME_KEY)
    headers = {"kid": kid} if kid is not None else None
    return jwt.encode(claims, signing_key, algorithm="HS256", headers=headers)


def authorize(token: str | None, method_arn: str = METHOD_ARN, prefix: str = "Bearer ") -> dict:
    event = {"type": "TOKEN", "methodArn": method_arn}
    if token is not None:
        event["authorizationToken"] = prefix + token
    return authorizer.handler(event, FakeLambdaContext())


def assert_unauthorized(token: str | None, **kwargs) -> None:
    with pytest.raises(Exception, match=r"^Unauthorized$"):
        authorize(token, **kwargs)


def assert_authorizer_failure(token: str | None, **kwargs) -> None:
    """Not a 401: any other exception is API Gateway's AUTHORIZER_FAILURE (503 here)."""
    with pytest.raises(authorizer.AuthorizerFailureError) as caught:
        authorize(token, **kwargs)
    assert str(caught.value) != "Unauthorized"


def statements(policy: dict) -> dict[str, list[str]]:
    return {s["Effect"]: s["Resource"] for s in policy["policyDocument"]["Statement"]}


def emitted_metrics(output: str) -> list[dict]:
    """The CloudWatch EMF documents Powertools printed: one per flush."""
    documents = []
    for line in output.splitlines():
        if line.startswith("{") and '"_aws"' in line:
            documents.append(json.loads(line))
    return documents


def metric_names(output: str) -> list[str]:
    return [
        metric["Name"]
        for document in emitted_metrics(output)
        for directive in document["_aws"]["CloudWatchMetrics"]
        for metric in directive["Metrics"]
    ]


def log_records(buffer: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in buffer.getvalue().splitlines() if line.startswith("{")]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


# -- Cognito ------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["id", "access"])
def test_cognito_tokens_get_every_method_as_the_user(kind) -> None:
    policy = authorize(cognito_token(kind))
    assert policy["principalId"] == f"user:{SUB}"
    assert statements(policy) == {"Allow": ALL_METHODS}
    assert policy["policyDocument"]["Version"] == "2012-10-17"
    assert policy["context"] == {
        "caller_kind": "user",
        "caller_id": SUB,
        "scopes": BOTH_SCOPES,
    }
    # Usage plans (API key source AUTHORIZER): app users share the "app users" plan's key.
    assert policy["usageIdentifierKey"] == f"{USAGE_PREFIX}app-users"


def test_policy_is_built_from_the_method_arn_of_any_route() -> None:
    policy = authorize(cognito_token(), method_arn=f"{ARN_BASE}/GET/transactions/01JABC")
    assert statements(policy) == {"Allow": ALL_METHODS}


@pytest.mark.parametrize("prefix", ["Bearer ", "bearer ", ""])
def test_bearer_prefix_is_optional(prefix) -> None:
    assert authorize(cognito_token(), prefix=prefix)["context"]["caller_id"] == SUB


def test_second_audience_is_accepted() -> None:
    assert authorize(cognito_token(aud="client456"))["context"]["caller_id"] == SUB


@pytest.mark.parametrize(
    "token_factory",
    [
        pytest.param(lambda: cognito_token(iss="https://evil.example.com/pool"), id="wrong-issuer"),
        pytest.param(
            lambda: cognito_token(iss=f"http://127.0.0.1:4566/{POOL_ID}"), id="emulator-issuer"
        ),
        pytest.param(lambda: cognito_token(aud="someone-else"), id="wrong-audience"),
        pytest.param(
            lambda: cognito_token("access", client_id="someone-else"), id="wrong-client-id"
        ),
        pytest.param(lambda: cognito_token("access", client_id=None), id="access-no-client-id"),
        pytest.param(lambda: cognito_token(aud=None), id="id-no-audience"),
        pytest.param(lambda: cognito_token(token_use="refresh"), id="wrong-token-use"),
        pytest.param(lambda: cognito_token(exp=int(time.time()) - 120), id="expired"),
        pytest.param(lambda: cognito_token(exp=None), id="missing-exp"),
        pytest.param(lambda: cognito_token(nbf=int(time.time()) + 600), id="not-yet-valid"),
        pytest.param(lambda: cognito_token(iat=int(time.time()) + 600), id="issued-in-future"),
        pytest.param(lambda: cognito_token(sub=None), id="missing-sub"),
        pytest.param(lambda: cognito_token(sub=""), id="empty-sub"),
        pytest.param(lambda: cognito_token(key=ATTACKER_KEY), id="foreign-rsa-key"),
        pytest.param(lambda: cognito_token(kid="kid-unknown"), id="unknown-kid"),
        pytest.param(lambda: cognito_token(kid=None), id="missing-kid"),
        pytest.param(lambda: cognito_token()[:-4] + "AAAA", id="tampered-signature"),
        pytest.param(lambda: "not.a.jwt", id="garbage"),
        pytest.param(lambda: "", id="empty"),
        pytest.param(lambda: "x" * 9000, id="oversized"),
    ],
)
def test_invalid_cognito_tokens_are_unauthorized(token_factory) -> None:
    assert_unauthorized(token_factory())


def test_small_clock_skew_is_tolerated() -> None:
    assert authorize(cognito_token(exp=int(time.time()) - 5))["context"]["caller_id"] == SUB


def test_missing_token_is_unauthorized() -> None:
    assert_unauthorized(None)


@pytest.mark.parametrize(
    "method_arn", ["", "arn:aws:lambda:us-east-1:1:function:x", "not-an-arn", f"{ARN_BASE}"]
)
def test_malformed_method_arn_is_unauthorized(method_arn) -> None:
    assert_unauthorized(cognito_token(), method_arn=method_arn)


def test_alg_none_is_rejected() -> None:
    header = _b64(json.dumps({"alg": "none", "typ": "JWT", "kid": "kid-1"}).encode())
    payload = _b64(
        json.dumps(
            {
                "sub": SUB,
                "iss": ISSUER,
                "token_use": "id",
                "aud": CLIENT_ID,
                "exp": int(time.time()) + 600,
            }
        ).encode()
    )
    assert_unauthorized(f"{header}.{payload}.")


@pytest.mark.parametrize("algorithm", ["RS512", "HS512", "ES256", "PS256"])
def test_other_algorithms_are_rejected(algorithm) -> None:
    header = _b64(json.dumps({"alg": algorithm, "kid": "kid-1"}).encode())
    payload = _b64(json.dumps({"sub": SUB, "exp": int(time.time()) + 600}).encode())
    assert_unauthorized(f"{header}.{payload}.{_b64(b'signature')}")


def test_hs256_signed_with_the_public_rsa_key_is_rejected() -> None:
    """Algorithm confusion: HS256 with the pool's public key as the HMAC secret."""
    public_pem = POOL_KEY.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    claims = {
        "sub": SUB,
        "iss": ISSUER,
        "token_use": "id",
        "aud": CLIENT_ID,
        "iat": int(time.time()),
        "exp": int(time.time()) + 600,
        "scope": BOTH_SCOPES,
    }
    header = _b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": "kid-1"}).encode())
    payload = _b64(json.dumps(claims).encode())
    signature = hmac.new(public_pem, f"{header}.{payload}".encode(), hashlib.sha256).digest()
    assert_unauthorized(f"{header}.{payload}.{_b64(signature)}")


def test_rs256_header_on_a_partner_hmac_token_is_rejected() -> None:
    token = partner_token()
    header = _b64(json.dumps({"alg": "RS256", "typ": "JWT", "kid": "kid-1"}).encode())
    assert_unauthorized(header + token[token.index(".") :])


# -- JWKS cache (issue 11 item 4) ---------------------------------------------------------


def test_jwks_is_fetched_once_from_the_derived_url(jwks_server) -> None:
    authorize(cognito_token())
    authorize(cognito_token("access"))
    assert jwks_server.urls == [f"{ISSUER}/.well-known/jwks.json"]


def test_unknown_kid_refreshes_at_most_once_a_minute(jwks_server, clock) -> None:
    authorize(cognito_token())
    jwks_server.keys = [jwk(POOL_KEY, "kid-1"), jwk(ROTATED_KEY, "kid-2")]
    clock.now += 61
    # Rotation: the new kid is picked up by one refresh.
    assert authorize(cognito_token(key=ROTATED_KEY, kid="kid-2"))["context"]["caller_id"] == SUB
    assert len(jwks_server.urls) == 2
    # Forged kids inside the minute do not trigger more fetches.
    for index in range(5):
        assert_unauthorized(cognito_token(kid=f"forged-{index}"))
    assert len(jwks_server.urls) == 2
    clock.now += 61
    assert_unauthorized(cognito_token(kid="forged-late"))
    assert len(jwks_server.urls) == 3


def test_known_keys_keep_working_through_a_failed_refresh(jwks_server, clock) -> None:
    """One failed fetch must not reject every Cognito token (it used to, for 60 s)."""
    authorize(cognito_token())
    jwks_server.fail = True
    # An unknown kid triggers a refresh that fails...
    clock.now += 61
    assert_authorizer_failure(cognito_token(kid="kid-2"))
    # ...and the known key still verifies, right after and through the periodic refresh.
    assert authorize(cognito_token())["context"]["caller_id"] == SUB
    clock.now += jwks_module.MAX_KEY_AGE_SECONDS + 1
    assert authorize(cognito_token())["context"]["caller_id"] == SUB
    assert authorize(cognito_token("access"))["context"]["caller_id"] == SUB


def test_failed_refresh_is_retried_at_a_bounded_rate(jwks_server, clock) -> None:
    jwks_server.fail = True
    assert_authorizer_failure(cognito_token())
    fetches = len(jwks_server.urls)
    # A flood inside the back-off window does not reach the endpoint.
    for _ in range(5):
        assert_authorizer_failure(cognito_token(kid="forged"))
    assert len(jwks_server.urls) == fetches
    # The endpoint is back: the next attempt after the short back-off succeeds (not 60 s later).
    jwks_server.fail = False
    clock.now += jwks_module.RETRY_AFTER_FAILURE_SECONDS
    assert authorize(cognito_token())["context"]["caller_id"] == SUB
    assert len(jwks_server.urls) == fetches + 1


def test_keys_removed_from_the_jwks_stop_working_after_the_periodic_refresh(
    jwks_server, clock
) -> None:
    jwks_server.keys = [jwk(POOL_KEY, "kid-1"), jwk(ROTATED_KEY, "kid-2")]
    assert authorize(cognito_token(key=ROTATED_KEY, kid="kid-2"))["context"]["caller_id"] == SUB
    jwks_server.keys = [jwk(POOL_KEY, "kid-1")]
    # Still trusted until the periodic refresh is due...
    clock.now += jwks_module.MAX_KEY_AGE_SECONDS - 1
    assert authorize(cognito_token(key=ROTATED_KEY, kid="kid-2"))["context"]["caller_id"] == SUB
    # ...and gone as soon as it has run.
    clock.now += 2
    assert_unauthorized(cognito_token(key=ROTATED_KEY, kid="kid-2"))
    assert authorize(cognito_token())["context"]["caller_id"] == SUB


def test_a_jwks_without_usable_keys_does_not_replace_the_cached_one(jwks_server, clock) -> None:
    authorize(cognito_token())
    jwks_server.keys = []
    clock.now += jwks_module.MAX_KEY_AGE_SECONDS + 1
    assert authorize(cognito_token())["context"]["caller_id"] == SUB


def test_unreachable_jwks_at_cold_start_is_an_outage_not_a_401(jwks_server) -> None:
    jwks_server.fail = True
    assert_authorizer_failure(cognito_token())


def test_jwks_skips_keys_it_cannot_use(jwks_server) -> None:
    jwks_server.keys = [
        {"kty": "EC", "kid": "ec"},
        {**jwk(POOL_KEY, "enc"), "use": "enc"},
        {**jwk(POOL_KEY, "no-kid"), "kid": ""},
        {"kty": "RSA", "kid": "broken", "n": "!!", "e": "AQAB"},
        "not-a-key",
        jwk(POOL_KEY, "kid-1"),
    ]
    assert authorize(cognito_token())["context"]["caller_id"] == SUB
    assert_unauthorized(cognito_token(kid="enc"))


def test_fetch_jwks_reads_the_document(monkeypatch) -> None:
    seen = {}

    class FakeResponse(io.BytesIO):
        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

    def fake_urlopen(request, timeout):
        seen["url"], seen["timeout"] = request.full_url, timeout
        return FakeResponse(json.dumps({"keys": []}).encode())

    monkeypatch.setattr(jwks_module.urllib.request, "urlopen", fake_urlopen)
    assert fetch_jwks("https://cognito.example/pool/.well-known/jwks.json") == {"keys": []}
    assert seen == {"url": "https://cognito.example/pool/.well-known/jwks.json", "timeout": 2.0}
    monkeypatch.setattr(
        jwks_module.urllib.request, "urlopen", lambda request, timeout: FakeResponse(b"[1]")
    )
    with pytest.raises(ValueError, match="not an object"):
        fetch_jwks("https://example.com/jwks.json")
    with pytest.raises(ValueError, match="http"):
        fetch_jwks("file:///etc/passwd")


@pytest.fixture
def local_jwks_endpoint() -> Iterator[str]:
    """A real HTTP server answering the JWKS path with an empty key set, 404 elsewhere."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = json.dumps({"keys": []}).encode()
            self.send_response(200 if self.path == "/pool/.well-known/jwks.json" else 404)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_plain_http_jwks_fetch_builds_no_tls_context(monkeypatch, local_jwks_endpoint) -> None:
    """The emulator's http:// endpoint: loading the CA store for a TLS context that an http
    request never uses cost ~50 ms CPU of the authorizer's first request (bench/findings.md)."""

    def no_tls(*args: object, **kwargs: object) -> None:
        raise AssertionError("a TLS context was built for an http:// URL")

    monkeypatch.setattr(ssl, "create_default_context", no_tls)
    monkeypatch.setattr(ssl, "_create_default_https_context", no_tls)
    url = f"{local_jwks_endpoint}/pool/.well-known/jwks.json"
    assert fetch_jwks(url) == {"keys": []}
    # An error status still fails the fetch (the cache keeps its keys and retries later).
    with pytest.raises(urllib.error.HTTPError):
        fetch_jwks(f"{local_jwks_endpoint}/elsewhere")


# -- partners: identity comes from the key's kid (issue 11 item 1) -------------------------


def test_partner_with_both_scopes_gets_every_method_as_the_partner() -> None:
    policy = authorize(partner_token())
    assert policy["principalId"] == "partner:acme"
    assert statements(policy) == {"Allow": ALL_METHODS}
    assert policy["context"] == {
        "caller_kind": "partner",
        "caller_id": "acme",
        "scopes": BOTH_SCOPES,
    }
    # The partner's own usage plan (quota per day) counts its requests.
    assert policy["usageIdentifierKey"] == f"{USAGE_PREFIX}partner-acme"


def test_each_partner_is_its_own_caller() -> None:
    policy = authorize(partner_token("globex/k1"))
    assert policy["principalId"] == "partner:globex"
    assert policy["usageIdentifierKey"] == f"{USAGE_PREFIX}partner-globex"


def test_a_partner_token_with_a_users_sub_cannot_become_that_user() -> None:
    assert_unauthorized(partner_token(sub=SUB))
    assert_unauthorized(partner_token(sub=f"user:{SUB}"))


def test_a_partner_cannot_claim_another_partners_name() -> None:
    # acme's own key, acme's kid, but globex in the claims.
    assert_unauthorized(partner_token(sub="globex"))


def test_a_token_signed_with_one_partners_key_under_anothers_kid_is_refused() -> None:
    assert_unauthorized(partner_token("globex/k1", key=ACME_KEY))
    assert_unauthorized(partner_token("acme/k2", key=ACME_KEY))


@pytest.mark.parametrize(
    "kid",
    [
        pytest.param(None, id="missing"),
        pytest.param("", id="empty"),
        pytest.param("acme", id="no-key-id"),
        pytest.param("acme/k1/extra", id="three-parts"),
        pytest.param("../acme/k1", id="dot-dot"),
        pytest.param("acme/../globex/k1", id="traversal"),
        pytest.param("acme/k1%00", id="percent"),
        pytest.param("acme/k1\x00", id="nul"),
        pytest.param("ACME/k1", id="upper-case"),
        pytest.param("-acme/k1", id="leading-hyphen"),
        pytest.param("acme /k1", id="space"),
        pytest.param("a" * 33 + "/k1", id="partner-too-long"),
        pytest.param("acme/" + "k" * 33, id="key-id-too-long"),
        pytest.param("arn:aws:secretsmanager:us-east-1:1:secret:x", id="arn"),
    ],
)
def test_malformed_partner_kids_are_refused_without_a_lookup(kid, partner_secrets) -> None:
    assert_unauthorized(partner_token(kid, key=ACME_KEY))
    assert partner_secrets.lookups == []


def test_a_non_string_kid_is_refused_without_a_lookup(partner_secrets) -> None:
    header = _b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": ["acme", "k1"]}).encode())
    token = partner_token()
    signing_input = header + token[token.index(".") : token.rindex(".")]
    signature = hmac.new(ACME_KEY.encode(), signing_input.encode(), hashlib.sha256).digest()
    assert_unauthorized(f"{signing_input}.{_b64(signature)}")
    assert partner_secrets.lookups == []


def test_partner_read_scope_denies_post() -> None:
    policy = authorize(partner_token(scope="transactions:read"))
    assert statements(policy) == {"Allow": ALL_METHODS[:2], "Deny": ALL_METHODS[2:]}
    assert policy["context"]["scopes"] == "transactions:read"


def test_partner_write_scope_denies_reads() -> None:
    policy = authorize(partner_token(scope="transactions:write profile:admin"))
    assert statements(policy) == {"Allow": ALL_METHODS[2:], "Deny": ALL_METHODS[:2]}
    assert policy["context"]["scopes"] == "transactions:write"


@pytest.mark.parametrize("scope", [None, "", "profiles:read"])
def test_partner_without_any_scope_is_denied_everything(scope) -> None:
    policy = authorize(partner_token(scope=scope))
    assert statements(policy) == {"Deny": ALL_METHODS}


@pytest.mark.parametrize(
    "token_factory",
    [
        pytest.param(lambda: partner_token(key="x" * 64), id="wrong-key"),
        pytest.param(lambda: partner_token(iss="someone"), id="wrong-issuer"),
        pytest.param(lambda: partner_token(aud="other-api"), id="wrong-audience"),
        pytest.param(lambda: partner_token(aud=None), id="missing-audience"),
        pytest.param(lambda: partner_token(exp=int(time.time()) - 120), id="expired"),
        pytest.param(lambda: partner_token(exp=None), id="missing-exp"),
        pytest.param(lambda: partner_token(nbf=int(time.time()) + 600), id="not-yet-valid"),
        pytest.param(lambda: partner_token(sub=None), id="missing-sub"),
        pytest.param(lambda: partner_token(scope=["transactions:read"]), id="scope-not-string"),
    ],
)
def test_invalid_partner_tokens_are_unauthorized(token_factory) -> None:
    assert_unauthorized(token_factory())


# -- partners: token lifetime (issue 11 item 2) ----------------------------------------------


def test_partner_token_without_iat_is_refused() -> None:
    assert_unauthorized(partner_token(iat=None))


def test_a_100_year_partner_token_is_refused() -> None:
    now = int(time.time())
    assert_unauthorized(partner_token(iat=now, exp=now + 100 * 365 * 86_400))


def test_partner_token_lifetime_is_bounded_by_the_configured_maximum() -> None:
    now = int(time.time())
    maximum = authorizer.CONFIG.partner_token_max_lifetime_seconds
    assert maximum == 3600
    assert authorize(partner_token(iat=now, exp=now + maximum))["principalId"] == "partner:acme"
    assert_unauthorized(partner_token(iat=now, exp=now + maximum + 1))
    # Back-dating iat does not buy a longer life either: exp - iat is what counts.
    assert_unauthorized(partner_token(iat=now - maximum, exp=now + 60))


def test_partner_token_issued_in_the_future_is_refused() -> None:
    now = int(time.time())
    assert_unauthorized(partner_token(iat=now + 600, exp=now + 1200))
    # Within the leeway (clock skew) it is fine.
    assert authorize(partner_token(iat=now + 10, exp=now + 600))["principalId"] == "partner:acme"


@pytest.mark.parametrize("iat", ["yesterday", 1.5e300])
def test_partner_token_with_a_malformed_iat_is_refused(iat) -> None:
    assert_unauthorized(partner_token(iat=iat))


# -- partners: rotation and revocation (issue 11 item 3) -----------------------------------


def test_rotation_overlap_both_listed_key_ids_verify(partner_secrets) -> None:
    assert authorize(partner_token("acme/k1"))["principalId"] == "partner:acme"
    assert authorize(partner_token("acme/k2"))["principalId"] == "partner:acme"
    # Each key id is its own secret, named after the kid.
    assert partner_secrets.lookups == [f"{SECRET_PREFIX}acme/k1", f"{SECRET_PREFIX}acme/k2"]


def test_partner_keys_are_cached_per_kid_for_the_cache_window(partner_secrets, clock) -> None:
    authorize(partner_token())
    authorize(partner_token(scope="transactions:read"))
    authorize(partner_token("acme/k2"))
    assert len(partner_secrets.lookups) == 2
    clock.now += 301
    authorize(partner_token())
    assert len(partner_secrets.lookups) == 3


def test_a_key_added_later_works_without_a_restart(partner_secrets, clock) -> None:
    new_key = "d" * 64
    assert_unauthorized(partner_token("acme/k3", key=new_key))
    partner_secrets.create("acme/k3", new_key)
    # A kid that was unknown is negatively cached for the same window as a known key.
    assert_unauthorized(partner_token("acme/k3", key=new_key))
    clock.now += 301
    assert authorize(partner_token("acme/k3", key=new_key))["principalId"] == "partner:acme"


@pytest.mark.parametrize("removal", ["force-delete", "scheduled-deletion"])
def test_a_removed_key_stops_working_within_the_cache_window(
    partner_secrets, clock, removal
) -> None:
    assert authorize(partner_token("acme/k1"))["principalId"] == "partner:acme"
    client = aws.client("secretsmanager")
    if removal == "force-delete":  # the replica region: replicas are deleted at once
        client.delete_secret(SecretId=SECRET_PREFIX + "acme/k1", ForceDeleteWithoutRecovery=True)
    else:  # the primary region: DeleteSecret with a recovery window (Terraform's default)
        client.delete_secret(SecretId=SECRET_PREFIX + "acme/k1", RecoveryWindowInDays=7)
    # Inside the cache window the cached key still verifies (the stated bound)...
    clock.now += 299
    assert authorize(partner_token("acme/k1"))["principalId"] == "partner:acme"
    # ...after it, the key is refused as revoked (401, not an outage), and k2 keeps working.
    clock.now += 2
    assert_unauthorized(partner_token("acme/k1"))
    assert authorize(partner_token("acme/k2"))["principalId"] == "partner:acme"


def test_a_flood_of_forged_kids_does_not_hammer_secrets_manager(partner_secrets, clock) -> None:
    budget = PartnerKeyStore.UNKNOWN_KID_LOOKUPS_PER_MINUTE
    authorize(partner_token("acme/k1"))  # known before the flood (one look-up of the budget)
    for index in range(budget * 5):
        assert_unauthorized(partner_token(f"forged-{index}/k1", key=ACME_KEY))
    assert len(partner_secrets.lookups) == budget
    # Keys already known keep working during the flood.
    authorize(partner_token("acme/k1"))
    assert len(partner_secrets.lookups) == budget
    # Repeating one forged kid is answered from the negative cache.
    clock.now += 60
    for _ in range(5):
        assert_unauthorized(partner_token("forged-0/k1", key=ACME_KEY))
    assert len(partner_secrets.lookups) == budget
    # The budget refills with time: a new kid is looked up again.
    assert_unauthorized(partner_token("forged-new/k1", key=ACME_KEY))
    assert len(partner_secrets.lookups) == budget + 1
    # Once its cache window is over, a known key is re-read even while the budget is spent.
    clock.now += 301
    for index in range(budget * 2):
        assert_unauthorized(partner_token(f"forged-again-{index}/k1", key=ACME_KEY))
    assert authorize(partner_token("acme/k1"))["principalId"] == "partner:acme"
    assert partner_secrets.lookups[-1] == f"{SECRET_PREFIX}acme/k1"


# -- outages are not bad credentials (issue 11 item 5, issue 10 item 6) ----------------------


@pytest.mark.parametrize(
    "fault",
    [
        client_error("ServiceUnavailable", 503),
        client_error("ThrottlingException"),
        client_error("InternalServiceError", 500),
        client_error("AccessDeniedException"),
        client_error("DecryptionFailure"),
        EndpointConnectionError(endpoint_url="http://x"),
    ],
    ids=["unavailable", "throttled", "internal", "access-denied", "kms", "unreachable"],
)
def test_secrets_manager_outage_is_an_authorizer_failure(monkeypatch, fault) -> None:
    monkeypatch.setattr(aws, "client", lambda _service: FailingClient(fault))
    assert_authorizer_failure(partner_token())
    # Cognito tokens do not depend on Secrets Manager.
    assert authorize(cognito_token())["context"]["caller_id"] == SUB


def test_missing_secret_is_a_rejection_not_an_outage(monkeypatch) -> None:
    monkeypatch.setattr(
        aws, "client", lambda _service: FailingClient(client_error("ResourceNotFoundException"))
    )
    assert_unauthorized(partner_token())


def test_after_the_cache_window_an_unreachable_secret_is_an_outage(monkeypatch, clock) -> None:
    assert authorize(partner_token())["principalId"] == "partner:acme"
    clock.now += 301
    monkeypatch.setattr(
        aws, "client", lambda _s: FailingClient(client_error("ServiceUnavailable", 503))
    )
    assert_authorizer_failure(partner_token())


@pytest.mark.parametrize(
    "secret", ['{"other": "x"}', "not json", '{"signing_key": "short"}', '{"signing_key": 5}']
)
def test_malformed_secret_is_an_outage(partner_secrets, secret) -> None:
    """A broken secret is the operator's fault, never the caller's: 503 and an ERROR log."""
    aws.client("secretsmanager").put_secret_value(
        SecretId=SECRET_PREFIX + "acme/k1", SecretString=secret
    )
    assert_authorizer_failure(partner_token())


def test_unexpected_failure_is_an_authorizer_failure(monkeypatch) -> None:
    def explode(_token):
        raise RuntimeError("bug")

    monkeypatch.setattr(authorizer.verifier, "verify", explode)
    assert_authorizer_failure(cognito_token())


def test_rejection_is_info_with_the_token_rejected_metric(log_output, capsys) -> None:
    token = cognito_token(exp=int(time.time()) - 120)
    assert_unauthorized(token)
    records = [r for r in log_records(log_output) if r.get("message") == "token rejected"]
    assert [(r["level"], r["reason"]) for r in records] == [("INFO", "expired")]
    assert token.split(".")[1] not in log_output.getvalue()
    names = metric_names(capsys.readouterr().out)
    assert "TokenRejected" in names
    assert "AuthorizerFailure" not in names


def test_outage_is_error_with_the_authorizer_failure_metric(
    log_output, capsys, jwks_server
) -> None:
    jwks_server.fail = True
    token = cognito_token()
    assert_authorizer_failure(token)
    records = [r for r in log_records(log_output) if r["level"] == "ERROR"]
    assert [(r["message"], r["dependency"]) for r in records] == [
        ("authorizer dependency unavailable", "jwks")
    ]
    assert token.split(".")[1] not in log_output.getvalue()
    assert not [r for r in log_records(log_output) if r.get("message") == "token rejected"]
    documents = emitted_metrics(capsys.readouterr().out)
    failures = [
        document
        for document in documents
        if any(
            metric["Name"] == "AuthorizerFailure"
            for directive in document["_aws"]["CloudWatchMetrics"]
            for metric in directive["Metrics"]
        )
    ]
    assert len(failures) == 1
    (directive,) = failures[0]["_aws"]["CloudWatchMetrics"]
    # The alarm watches Meridian / AuthorizerFailure / service=<POWERTOOLS_SERVICE_NAME>.
    assert directive["Namespace"] == "Meridian"
    assert ["service"] in directive["Dimensions"]
    assert failures[0]["AuthorizerFailure"] == [1.0] or failures[0]["AuthorizerFailure"] == 1.0
    assert all("TokenRejected" not in document for document in documents)


def test_unexpected_failure_is_logged_at_error(log_output, monkeypatch) -> None:
    def explode(_token):
        raise RuntimeError("bug")

    monkeypatch.setattr(authorizer.verifier, "verify", explode)
    assert_authorizer_failure(cognito_token())
    assert [r["message"] for r in log_records(log_output) if r["level"] == "ERROR"] == [
        "authorizer failure"
    ]


def test_request_type_event_reads_the_authorization_header() -> None:
    event = {
        "type": "REQUEST",
        "methodArn": METHOD_ARN,
        "headers": {"authorization": f"Bearer {cognito_token()}"},
    }
    assert authorizer.handler(event, FakeLambdaContext())["principalId"] == f"user:{SUB}"


# -- tokens issued by moto's Cognito (the same shape the devstack's emulator issues) -------


def test_tokens_from_moto_cognito_are_accepted(monkeypatch, clock) -> None:
    cognito = aws.client("cognito-idp")
    pool_id = cognito.create_user_pool(PoolName="meridian-test")["UserPool"]["Id"]
    client_id = cognito.create_user_pool_client(
        UserPoolId=pool_id, ClientName="app", ExplicitAuthFlows=["ADMIN_USER_PASSWORD_AUTH"]
    )["UserPoolClient"]["ClientId"]
    cognito.admin_create_user(UserPoolId=pool_id, Username="ada@example.com")
    cognito.admin_set_user_password(
        UserPoolId=pool_id, Username="ada@example.com", Password="Correct-Horse-9", Permanent=True
    )
    tokens = cognito.admin_initiate_auth(
        UserPoolId=pool_id,
        ClientId=client_id,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "ada@example.com", "PASSWORD": "Correct-Horse-9"},
    )["AuthenticationResult"]
    config = authorizer.CONFIG
    pool_config = dataclasses.replace(
        config,
        user_pool_id=pool_id,
        app_client_ids=frozenset({client_id}),
        cognito_issuer=f"https://cognito-idp.{REGION}.amazonaws.com/{pool_id}",
    )
    monkeypatch.setattr(authorizer.verifier, "config", pool_config)
    moto_jwks = json.loads(CognitoIdpJsonWebKeyResponse.json_web_key)
    monkeypatch.setattr(
        authorizer.verifier, "jwks", JwksCache("unused", fetch=lambda _url: moto_jwks, clock=clock)
    )
    for token in (tokens["IdToken"], tokens["AccessToken"]):
        policy = authorize(token)
        assert statements(policy) == {"Allow": ALL_METHODS}
        assert policy["context"]["caller_kind"] == "user"
        sub = jwt.decode(token, options={"verify_signature": False})["sub"]
        assert policy["principalId"] == f"user:{sub}"
    # The same tokens are refused when the pool or client does not match the configuration.
    monkeypatch.setattr(
        authorizer.verifier,
        "config",
        dataclasses.replace(pool_config, app_client_ids=frozenset({"x"})),
    )
    assert_unauthorized(tokens["IdToken"])
    assert_unauthorized(tokens["AccessToken"])
