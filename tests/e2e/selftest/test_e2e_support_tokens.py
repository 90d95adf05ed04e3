"""The token forgery used by the auth matrix builds exactly the tokens it claims to build."""

from __future__ import annotations

import base64
import gzip
import hashlib
import hmac
import importlib.util
import json
import time
from pathlib import Path

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from e2e_support import tokens
from e2e_support.partner import Partner, partners_from_secrets
from e2e_support.users import jwt_claims

CLAIMS = {"sub": "abc", "iss": "https://issuer", "aud": "client", "exp": int(time.time()) + 60}


def _b64decode(segment: str) -> bytes:
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def test_rs256_verifies_with_the_public_key_only() -> None:
    key = tokens.new_rsa_key()
    token = tokens.sign_rs256(CLAIMS, key, kid="k1")
    assert tokens.header_of(token) == {"alg": "RS256", "typ": "JWT", "kid": "k1"}
    decoded = jwt.decode(token, key.public_key(), algorithms=["RS256"], audience="client")
    assert decoded == CLAIMS
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(
            token, tokens.new_rsa_key().public_key(), algorithms=["RS256"], audience="client"
        )


def test_hs256_verifies_with_the_shared_key() -> None:
    token = tokens.sign_hs256(CLAIMS, b"s3cret-key-of-sufficient-length!!")
    decoded = jwt.decode(
        token, b"s3cret-key-of-sufficient-length!!", algorithms=["HS256"], audience="client"
    )
    assert decoded == CLAIMS


def test_tampered_signature_no_longer_verifies() -> None:
    key = tokens.new_rsa_key()
    token = tokens.sign_rs256(CLAIMS, key)
    tampered = tokens.tamper_signature(token)
    assert tampered.split(".")[:2] == token.split(".")[:2]
    assert tampered != token
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(tampered, key.public_key(), algorithms=["RS256"], audience="client")


def test_alg_none_token_has_an_empty_signature() -> None:
    token = tokens.unsigned(CLAIMS, kid="k1")
    head, payload, signature = token.split(".")
    assert json.loads(_b64decode(head)) == {"alg": "none", "typ": "JWT", "kid": "k1"}
    assert json.loads(_b64decode(payload)) == CLAIMS
    assert signature == ""
    with pytest.raises(jwt.InvalidAlgorithmError):
        jwt.decode(token, "", algorithms=["RS256", "HS256"], audience="client")


def test_algorithm_confusion_token_is_hmac_over_the_public_key_pem() -> None:
    private = tokens.new_rsa_key()
    public_jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(private.public_key()))
    pem = tokens.public_key_pem(public_jwk)
    assert pem.startswith(b"-----BEGIN PUBLIC KEY-----")
    token = tokens.sign_hs256(CLAIMS, pem, header={"kid": "k1"})
    head, payload, signature = token.split(".")
    assert tokens.header_of(token)["alg"] == "HS256"
    expected = hmac.new(pem, f"{head}.{payload}".encode(), hashlib.sha256).digest()
    assert _b64decode(signature) == expected
    # A verifier pinned to RS256 refuses it.
    with pytest.raises(jwt.InvalidAlgorithmError):
        jwt.decode(token, private.public_key(), algorithms=["RS256"], audience="client")


def test_emulator_key_matches_the_emulators_published_jwks() -> None:
    key, kid = tokens.emulator_signing_key()
    assert isinstance(key, rsa.RSAPrivateKey)
    spec = importlib.util.find_spec("moto")
    assert spec is not None
    assert spec.submodule_search_locations
    resources = Path(next(iter(spec.submodule_search_locations))) / "cognitoidp" / "resources"
    public_jwks = json.loads(gzip.decompress((resources / "jwks-public.json.gz").read_bytes()))
    published = next(k for k in public_jwks["keys"] if k["kid"] == kid)
    public_key = jwt.algorithms.RSAAlgorithm.from_jwk(json.dumps(published))
    token = tokens.sign_rs256(CLAIMS, key, kid)
    assert jwt.decode(token, public_key, algorithms=["RS256"], audience="client") == CLAIMS


def test_cognito_claims_follow_cognitos_token_shapes() -> None:
    id_claims = tokens.cognito_claims(issuer="iss", client_id="c", sub="s")
    assert id_claims["aud"] == "c"
    assert id_claims["token_use"] == "id"
    assert "client_id" not in id_claims
    access = tokens.cognito_claims(issuer="iss", client_id="c", sub="s", token_use="access")
    assert access["client_id"] == "c"
    assert "aud" not in access
    expired = tokens.cognito_claims(
        issuer="i", client_id="c", sub="s", lifetime=60, issued_ago=7200
    )
    assert expired["exp"] < time.time()


def _partner() -> Partner:
    return Partner(
        name="acme",
        key_id="k1",
        issuer="meridian-partners-dev",
        audience="meridian-api-dev",
        signing_key="k" * 64,
    )


def test_partner_tokens_carry_scope_issuer_and_audience() -> None:
    partner = _partner()
    token = partner.token(scopes="transactions:read")
    claims = jwt.decode(token, "k" * 64, algorithms=["HS256"], audience="meridian-api-dev")
    assert claims["iss"] == "meridian-partners-dev"
    assert claims["scope"] == "transactions:read"
    assert "scope" not in jwt_claims(partner.token(scopes=""))
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(
            partner.token(key="other" * 8), "k" * 64, algorithms=["HS256"],
            audience="meridian-api-dev",
        )  # fmt: skip


def test_partner_tokens_name_their_key_and_the_partner() -> None:
    """Decision 3: kid = "<partner>/<key id>", sub = the partner's name, iat and exp present."""
    partner = _partner()
    token = partner.token()
    assert tokens.header_of(token) == {"alg": "HS256", "typ": "JWT", "kid": "acme/k1"}
    claims = jwt_claims(token)
    assert claims["sub"] == "acme"
    assert claims["exp"] - claims["iat"] == 600
    assert abs(claims["iat"] - time.time()) < 5
    assert partner.kid == tokens.partner_kid("acme", "k1") == "acme/k1"


def test_partner_token_variants_for_the_matrix() -> None:
    partner = _partner()
    assert jwt_claims(partner.token(sub="someone-else"))["sub"] == "someone-else"
    assert tokens.header_of(partner.token(kid="globex/k1"))["kid"] == "globex/k1"
    assert "kid" not in tokens.header_of(partner.token(kid=""))
    assert "iat" not in jwt_claims(partner.token(with_iat=False))
    long_lived = jwt_claims(partner.token(lifetime=7200))
    assert long_lived["exp"] - long_lived["iat"] == 7200
    expired = jwt_claims(partner.token(lifetime=60, issued_ago=3600))
    assert expired["exp"] < time.time()
    # Two tokens of the same partner differ (jti), so API Gateway's cache never merges them.
    assert partner.token() != partner.token()


def test_partners_are_read_from_their_secrets() -> None:
    """The e2e suite signs with the key it reads from each partner's secret, by name prefix."""
    boto3 = pytest.importorskip("boto3")
    moto = pytest.importorskip("moto")

    with moto.mock_aws():
        client = boto3.client("secretsmanager", region_name="us-east-1")
        for name, key in (
            ("meridian-local/partner-keys/acme/k1", "a" * 64),
            ("meridian-local/partner-keys/acme/k2", "b" * 64),
            ("meridian-local/partner-keys/globex/k1", "g" * 64),
            ("meridian-other/partner-keys/evil/k1", "e" * 64),
            ("meridian-local/something-else", "x" * 64),
        ):
            client.create_secret(Name=name, SecretString=json.dumps({"signing_key": key}))
        partners = partners_from_secrets(
            client, "meridian-local/partner-keys/", "meridian-partners-local", "meridian-api-local"
        )
    assert sorted(partners) == ["acme", "globex"]
    # The newest key id of a partner in rotation (both are valid; the last one sorts last).
    assert (partners["acme"].key_id, partners["acme"].signing_key) == ("k2", "b" * 64)
    assert partners["globex"] == Partner(
        name="globex",
        key_id="k1",
        issuer="meridian-partners-local",
        audience="meridian-api-local",
        signing_key="g" * 64,
    )
