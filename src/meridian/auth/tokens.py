"""Verify a bearer token and say who the caller is and which scopes it holds.

The key is chosen by the header's ``alg``: RS256 only ever uses the Cognito JWKS and HS256 only
the partner secret, so an HS256 token "signed" with the public RSA key can never verify, and
``alg: none`` (or anything else) is refused outright.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import jwt

from meridian.auth.errors import TokenRejectedError
from meridian.auth.jwks import JwksCache
from meridian.auth.partner import PartnerKeyCache
from meridian.config import AuthorizerConfig

READ_SCOPE = "transactions:read"
WRITE_SCOPE = "transactions:write"
KNOWN_SCOPES = frozenset({READ_SCOPE, WRITE_SCOPE})
LEEWAY_SECONDS = 30
MAX_TOKEN_LENGTH = 8192


@dataclass(frozen=True)
class Principal:
    sub: str
    token_type: str  # "cognito" | "partner"
    scopes: frozenset[str]


class TokenVerifier:
    def __init__(
        self, config: AuthorizerConfig, jwks: JwksCache, partner_keys: PartnerKeyCache
    ) -> None:
        self.config = config
        self.jwks = jwks
        self.partner_keys = partner_keys

    def verify(self, token: str) -> Principal:
        if not token or len(token) > MAX_TOKEN_LENGTH:
            raise TokenRejectedError("malformed")
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise TokenRejectedError("malformed") from None
        algorithm = header.get("alg")
        try:
            if algorithm == "RS256":
                return self._cognito(token, header)
            if algorithm == "HS256":
                return self._partner(token)
        except jwt.ExpiredSignatureError:
            raise TokenRejectedError("expired") from None
        except jwt.ImmatureSignatureError:
            raise TokenRejectedError("not_yet_valid") from None
        except jwt.InvalidIssuerError:
            raise TokenRejectedError("wrong_issuer") from None
        except jwt.InvalidAudienceError:
            raise TokenRejectedError("wrong_audience") from None
        except jwt.MissingRequiredClaimError:
            raise TokenRejectedError("missing_claim") from None
        except jwt.PyJWTError:
            raise TokenRejectedError("invalid") from None
        raise TokenRejectedError("unsupported_algorithm")

    def _cognito(self, token: str, header: dict[str, Any]) -> Principal:
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise TokenRejectedError("missing_kid")
        claims = jwt.decode(
            token,
            self.jwks.key_for(kid),
            algorithms=["RS256"],
            issuer=self.config.cognito_issuer,
            leeway=LEEWAY_SECONDS,
            options={
                "require": ["exp", "iat", "iss", "sub", "token_use"],
                # ID tokens carry `aud`, access tokens `client_id`: checked below per kind.
                "verify_aud": False,
            },
        )
        kind = claims.get("token_use")
        if kind == "id":
            audience = claims.get("aud")
            audiences = [audience] if isinstance(audience, str) else audience
            if not isinstance(audiences, list) or not set(audiences) & self.config.app_client_ids:
                raise TokenRejectedError("wrong_audience")
        elif kind == "access":
            if claims.get("client_id") not in self.config.app_client_ids:
                raise TokenRejectedError("wrong_client_id")
        else:
            raise TokenRejectedError("wrong_token_use")
        return Principal(_subject(claims), "cognito", KNOWN_SCOPES)

    def _partner(self, token: str) -> Principal:
        claims = jwt.decode(
            token,
            self.partner_keys.signing_key(),
            algorithms=["HS256"],
            issuer=self.config.partner_issuer,
            audience=self.config.partner_audience,
            leeway=LEEWAY_SECONDS,
            options={"require": ["exp", "iss", "aud", "sub"]},
        )
        scope = claims.get("scope", "")
        if not isinstance(scope, str):
            raise TokenRejectedError("malformed_scope")
        return Principal(_subject(claims), "partner", frozenset(scope.split()) & KNOWN_SCOPES)


def _subject(claims: dict[str, Any]) -> str:
    sub = claims.get("sub")
    if not isinstance(sub, str) or not sub or len(sub) > 256:
        raise TokenRejectedError("invalid_subject")
    return sub
