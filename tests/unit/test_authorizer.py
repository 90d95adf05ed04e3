from __future__ import annotations

import base64
import dataclasses
import hashlib
import hmac
import io
import json
import time

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
from meridian.auth.partner import PartnerKeyCache
from meridian.handlers import authorizer

POOL_ID = f"{REGION}_TestPool1"
ISSUER = f"https://cognito-idp.{REGION}.amazonaws.com/{POOL_ID}"
CLIENT_ID = "client123"
PARTNER_KEY = "partner-signing-key-0123456789abcdef"
OTHER_PARTNER_KEY = "another-partner-key-0123456789abcdef"
ARN_BASE = f"arn:aws:execute-api:{REGION}:{ACCOUNT_ID}:{API_ID}/v1"
METHOD_ARN = f"{ARN_BASE}/GET/transactions"
ALL_METHODS = [
    f"{ARN_BASE}/GET/transactions",
    f"{ARN_BASE}/GET/transactions/*",
    f"{ARN_BASE}/POST/transactions",
]
SUB = "33333333-3333-4333-8333-333333333333"


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


@pytest.fixture
def partner_secret(aws_backend, monkeypatch, clock) -> dict:
    """The partner secret in moto's Secrets Manager; the cache points at its real ARN."""
    client = aws.client("secretsmanager")
    arn = client.create_secret(
        Name="meridian/partner", SecretString=json.dumps({"signing_key": PARTNER_KEY})
    )["ARN"]
    calls = {"count": 0}

    def counting_client():
        calls["count"] += 1
        return aws.client("secretsmanager")

    cache = PartnerKeyCache(arn, ttl_seconds=300, client=counting_client, clock=clock)
    monkeypatch.setattr(authorizer.verifier, "partner_keys", cache)
    return {"arn": arn, "calls": calls, "cache": cache}


@pytest.fixture(autouse=True)
def _auth_backends(jwks_server, partner_secret) -> None:
    """Every authorizer test gets a JWKS endpoint and a partner secret."""


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
    key: str = PARTNER_KEY, scope: str | None = "transactions:read transactions:write", **overrides
) -> str:
    now = int(time.time())
    claims = {
        "sub": "partner-acme",
        "iss": "meridian-partners-test",
        "aud": "meridian-api-test",
        "iat": now,
        "exp": now + 600,
        "scope": scope,
        **overrides,
    }
    claims = {name: value for name, value in claims.items() if value is not None}
    return jwt.encode(claims, key, algorithm="HS256")


def authorize(token: str | None, method_arn: str = METHOD_ARN, prefix: str = "Bearer ") -> dict:
    event = {"type": "TOKEN", "methodArn": method_arn}
    if token is not None:
        event["authorizationToken"] = prefix + token
    return authorizer.handler(event, FakeLambdaContext())


def assert_unauthorized(token: str | None, **kwargs) -> None:
    with pytest.raises(Exception, match=r"^Unauthorized$"):
        authorize(token, **kwargs)


def statements(policy: dict) -> dict[str, list[str]]:
    return {s["Effect"]: s["Resource"] for s in policy["policyDocument"]["Statement"]}


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


# -- Cognito ------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["id", "access"])
def test_cognito_tokens_get_every_method(kind) -> None:
    policy = authorize(cognito_token(kind))
    assert policy["principalId"] == SUB
    assert statements(policy) == {"Allow": ALL_METHODS}
    assert policy["policyDocument"]["Version"] == "2012-10-17"
    assert policy["context"] == {
        "sub": SUB,
        "token_type": "cognito",
        "scopes": "transactions:read transactions:write",
    }


def test_policy_is_built_from_the_method_arn_of_any_route() -> None:
    policy = authorize(cognito_token(), method_arn=f"{ARN_BASE}/GET/transactions/01JABC")
    assert statements(policy) == {"Allow": ALL_METHODS}


@pytest.mark.parametrize("prefix", ["Bearer ", "bearer ", ""])
def test_bearer_prefix_is_optional(prefix) -> None:
    assert authorize(cognito_token(), prefix=prefix)["principalId"] == SUB


def test_second_audience_is_accepted() -> None:
    assert authorize(cognito_token(aud="client456"))["principalId"] == SUB


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
    assert authorize(cognito_token(exp=int(time.time()) - 5))["principalId"] == SUB


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
        "scope": "transactions:read transactions:write",
    }
    header = _b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": "kid-1"}).encode())
    payload = _b64(json.dumps(claims).encode())
    signature = hmac.new(public_pem, f"{header}.{payload}".encode(), hashlib.sha256).digest()
    assert_unauthorized(f"{header}.{payload}.{_b64(signature)}")


def test_rs256_header_on_a_partner_hmac_token_is_rejected() -> None:
    token = partner_token()
    header = _b64(json.dumps({"alg": "RS256", "typ": "JWT", "kid": "kid-1"}).encode())
    assert_unauthorized(header + token[token.index(".") :])


# -- JWKS cache ---------------------------------------------------------------------------


def test_jwks_is_fetched_once_from_the_derived_url(jwks_server) -> None:
    authorize(cognito_token())
    authorize(cognito_token("access"))
    assert jwks_server.urls == [f"{ISSUER}/.well-known/jwks.json"]


def test_unknown_kid_refreshes_at_most_once_a_minute(jwks_server, clock) -> None:
    authorize(cognito_token())
    jwks_server.keys = [jwk(POOL_KEY, "kid-1"), jwk(ROTATED_KEY, "kid-2")]
    clock.now += 61
    # Rotation: the new kid is picked up by one refresh.
    assert authorize(cognito_token(key=ROTATED_KEY, kid="kid-2"))["principalId"] == SUB
    assert len(jwks_server.urls) == 2
    # Forged kids inside the minute do not trigger more fetches.
    for index in range(5):
        assert_unauthorized(cognito_token(kid=f"forged-{index}"))
    assert len(jwks_server.urls) == 2
    clock.now += 61
    assert_unauthorized(cognito_token(kid="forged-late"))
    assert len(jwks_server.urls) == 3


def test_unreachable_jwks_is_unauthorized(jwks_server) -> None:
    jwks_server.fail = True
    assert_unauthorized(cognito_token())


def test_jwks_skips_keys_it_cannot_use(jwks_server) -> None:
    jwks_server.keys = [
        {"kty": "EC", "kid": "ec"},
        {**jwk(POOL_KEY, "enc"), "use": "enc"},
        {**jwk(POOL_KEY, "no-kid"), "kid": ""},
        {"kty": "RSA", "kid": "broken", "n": "!!", "e": "AQAB"},
        "not-a-key",
        jwk(POOL_KEY, "kid-1"),
    ]
    assert authorize(cognito_token())["principalId"] == SUB
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
    assert fetch_jwks("http://127.0.0.1:4566/pool/.well-known/jwks.json") == {"keys": []}
    assert seen == {"url": "http://127.0.0.1:4566/pool/.well-known/jwks.json", "timeout": 2.0}
    monkeypatch.setattr(
        jwks_module.urllib.request, "urlopen", lambda request, timeout: FakeResponse(b"[1]")
    )
    with pytest.raises(ValueError, match="not an object"):
        fetch_jwks("https://example.com/jwks.json")
    with pytest.raises(ValueError, match="http"):
        fetch_jwks("file:///etc/passwd")


# -- partners -----------------------------------------------------------------------------


def test_partner_with_both_scopes_gets_every_method() -> None:
    policy = authorize(partner_token())
    assert policy["principalId"] == "partner-acme"
    assert statements(policy) == {"Allow": ALL_METHODS}
    assert policy["context"]["token_type"] == "partner"


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
        pytest.param(lambda: partner_token(key=OTHER_PARTNER_KEY), id="wrong-key"),
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


def test_partner_secret_is_cached_for_its_ttl(partner_secret, clock) -> None:
    authorize(partner_token())
    authorize(partner_token(scope="transactions:read"))
    assert partner_secret["calls"]["count"] == 1
    clock.now += 301
    authorize(partner_token())
    assert partner_secret["calls"]["count"] == 2


@pytest.mark.parametrize(
    "fault",
    [
        client_error("ServiceUnavailable", 503),
        client_error("ThrottlingException"),
        client_error("InternalServiceError", 500),
        client_error("ResourceNotFoundException"),
        EndpointConnectionError(endpoint_url="http://x"),
    ],
    ids=["unavailable", "throttled", "internal", "missing", "unreachable"],
)
def test_secrets_manager_faults_fail_closed(monkeypatch, fault) -> None:
    monkeypatch.setattr(aws, "client", lambda _service: FailingClient(fault))
    assert_unauthorized(partner_token())
    # Cognito tokens do not depend on Secrets Manager.
    assert authorize(cognito_token())["principalId"] == SUB


def test_after_ttl_an_unreachable_secret_refuses_partners(monkeypatch, clock) -> None:
    assert authorize(partner_token())["principalId"] == "partner-acme"
    clock.now += 301
    monkeypatch.setattr(
        aws, "client", lambda _s: FailingClient(client_error("ServiceUnavailable", 503))
    )
    assert_unauthorized(partner_token())


@pytest.mark.parametrize(
    "secret", ['{"other": "x"}', "not json", '{"signing_key": "short"}', '{"signing_key": 5}']
)
def test_malformed_secret_fails_closed(partner_secret, secret) -> None:
    aws.client("secretsmanager").put_secret_value(
        SecretId=partner_secret["arn"], SecretString=secret
    )
    assert_unauthorized(partner_token())


def test_unexpected_failure_fails_closed(monkeypatch) -> None:
    def explode(_token):
        raise RuntimeError("bug")

    monkeypatch.setattr(authorizer.verifier, "verify", explode)
    assert_unauthorized(cognito_token())


def test_request_type_event_reads_the_authorization_header() -> None:
    event = {
        "type": "REQUEST",
        "methodArn": METHOD_ARN,
        "headers": {"authorization": f"Bearer {cognito_token()}"},
    }
    assert authorizer.handler(event, FakeLambdaContext())["principalId"] == SUB


def test_rejections_are_logged_without_the_token(log_output) -> None:
    token = cognito_token(exp=int(time.time()) - 120)
    assert_unauthorized(token)
    logged = log_output.getvalue()
    assert '"reason":"expired"' in logged
    assert token.split(".")[1] not in logged


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
        assert policy["context"]["token_type"] == "cognito"
        assert (
            policy["principalId"] == jwt.decode(token, options={"verify_signature": False})["sub"]
        )
    # The same tokens are refused when the pool or client does not match the configuration.
    monkeypatch.setattr(
        authorizer.verifier,
        "config",
        dataclasses.replace(pool_config, app_client_ids=frozenset({"x"})),
    )
    assert_unauthorized(tokens["IdToken"])
    assert_unauthorized(tokens["AccessToken"])
