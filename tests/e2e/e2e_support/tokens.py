"""Forged and partner JWTs for the auth matrix.

Partner tokens are HS256, signed with the partner's own key (Secrets Manager secret
``<prefix><partner>/<key id>``), header ``kid`` = ``<partner>/<key id>``, ``sub`` = the partner.

Encoding is done by hand (base64url + HMAC / RSA) so that deliberately broken tokens (``alg:
none``, HS256 keyed with an RSA public key) can be built: PyJWT refuses to make those.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import hmac
import importlib.util
import json
import time
import uuid
from pathlib import Path
from typing import Any

import requests
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from jwt.algorithms import RSAAlgorithm


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _segments(header: dict[str, Any], claims: dict[str, Any]) -> str:
    compact = {"separators": (",", ":")}
    return (
        b64url(json.dumps(header, **compact).encode())  # type: ignore[arg-type]
        + "."
        + b64url(json.dumps(claims, **compact).encode())  # type: ignore[arg-type]
    )


def sign_hs256(claims: dict[str, Any], key: bytes, header: dict[str, Any] | None = None) -> str:
    signing_input = _segments({"alg": "HS256", "typ": "JWT", **(header or {})}, claims)
    signature = hmac.new(key, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64url(signature)}"


def sign_rs256(
    claims: dict[str, Any], private_key: rsa.RSAPrivateKey, kid: str | None = None
) -> str:
    header: dict[str, Any] = {"alg": "RS256", "typ": "JWT"}
    if kid is not None:
        header["kid"] = kid
    signing_input = _segments(header, claims)
    signature = private_key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
    return f"{signing_input}.{b64url(signature)}"


def unsigned(claims: dict[str, Any], kid: str | None = None) -> str:
    """``alg: none`` with an empty signature (the classic bypass attempt)."""
    header: dict[str, Any] = {"alg": "none", "typ": "JWT"}
    if kid is not None:
        header["kid"] = kid
    return _segments(header, claims) + "."


def tamper_signature(token: str) -> str:
    """Same header and claims, a signature that no longer matches (one byte flipped)."""
    head, payload, signature = token.split(".")
    raw = bytearray(base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4)))
    raw[len(raw) // 2] ^= 0x01
    return f"{head}.{payload}.{b64url(bytes(raw))}"


def header_of(token: str) -> dict[str, Any]:
    head = token.split(".", maxsplit=1)[0]
    decoded = json.loads(base64.urlsafe_b64decode(head + "=" * (-len(head) % 4)))
    if not isinstance(decoded, dict):
        raise ValueError("JWT header is not a JSON object")
    return decoded


def new_rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def fetch_jwks(jwks_url: str) -> dict[str, Any]:
    response = requests.get(jwks_url, timeout=10)
    response.raise_for_status()
    document = response.json()
    if not isinstance(document, dict) or not document.get("keys"):
        raise ValueError(f"{jwks_url} returned no keys")
    return document


def public_key_pem(jwk: dict[str, Any]) -> bytes:
    """The PEM (SubjectPublicKeyInfo) of an RSA JWK: the HMAC key of the algorithm-confusion
    attack, where a verifier that trusts the header's ``alg`` would HMAC with its public key."""
    key = RSAAlgorithm.from_jwk(json.dumps(jwk))
    if not isinstance(key, rsa.RSAPublicKey):
        key = key.public_key()  # type: ignore[union-attr]
    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def emulator_signing_key() -> tuple[rsa.RSAPrivateKey, str]:
    """The devstack emulator's Cognito signing key and kid.

    DEVSTACK ONLY: moto signs every Cognito token with the private key it ships as a public
    fixture (moto/cognitoidp/resources/jwks-private.json). Using it lets the suite build tokens
    with a VALID signature but an expired ``exp`` or a wrong ``iss``/``aud``, which is impossible
    against real Cognito (there those cases are covered by tokens signed with another key).
    """
    spec = importlib.util.find_spec("moto")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("moto is not installed: it ships the emulator's signing key")
    resources = Path(next(iter(spec.submodule_search_locations))) / "cognitoidp" / "resources"
    compressed = resources / "jwks-private.json.gz"
    raw = (
        gzip.decompress(compressed.read_bytes())
        if compressed.exists()
        else (resources / "jwks-private.json").read_bytes()
    )
    jwk = json.loads(raw)
    key = RSAAlgorithm.from_jwk(json.dumps(jwk))
    if not isinstance(key, rsa.RSAPrivateKey):
        raise RuntimeError("the emulator's fixture is not an RSA private key")
    return key, str(jwk.get("kid", "dummy"))


def cognito_claims(
    *,
    issuer: str,
    client_id: str,
    sub: str,
    token_use: str = "id",  # noqa: S107 - a claim value, not a password
    lifetime: int = 3600,
    issued_ago: int = 0,
) -> dict[str, Any]:
    """Claims shaped like Cognito's: ID tokens carry ``aud``, access tokens ``client_id``."""
    now = int(time.time()) - issued_ago
    claims: dict[str, Any] = {
        "sub": sub,
        "iss": issuer,
        "token_use": token_use,
        "auth_time": now,
        "iat": now,
        "exp": now + lifetime,
        "jti": str(uuid.uuid4()),
    }
    if token_use == "id":
        claims["aud"] = client_id
        claims["cognito:username"] = sub
    else:
        claims["client_id"] = client_id
        claims["username"] = sub
        claims["scope"] = "aws.cognito.signin.user.admin"
    return claims


def partner_kid(partner: str, key_id: str) -> str:
    """The ``kid`` header of a partner token: which partner's key, which of its key ids."""
    return f"{partner}/{key_id}"


def partner_claims(
    *,
    issuer: str,
    audience: str,
    sub: str,
    scopes: str = "transactions:read transactions:write",
    lifetime: int = 600,
    issued_ago: int = 0,
    with_iat: bool = True,
) -> dict[str, Any]:
    """Partner token claims: ``sub`` is the partner's name, ``exp - iat`` the lifetime (the
    authorizer refuses more than PARTNER_TOKEN_MAX_LIFETIME_SECONDS, and a token without iat)."""
    now = int(time.time()) - issued_ago
    claims: dict[str, Any] = {
        "sub": sub,
        "iss": issuer,
        "aud": audience,
        "iat": now,
        "exp": now + lifetime,
        "jti": str(uuid.uuid4()),
    }
    if not with_iat:
        del claims["iat"]
    if scopes:
        claims["scope"] = scopes
    return claims
