"""Verify a bearer token and say who the caller is and which scopes it holds.

Two kinds of caller, in separate namespaces (docs/security.md):
- **user**: a Cognito ID or access token (RS256, the pool's JWKS). The caller id is the token's
  ``sub``; users hold every transactions scope.
- **partner**: a partner token (HS256) signed with one of that partner's own keys. The header's
  ``kid`` = ``<partner>/<key_id>`` selects the key, and the caller id is the partner named by that
  kid, never a claim: ``sub`` must repeat the same name, so a partner cannot present itself as a
  user or as another partner. ``exp`` and ``iat`` are required and ``exp - iat`` may not exceed
  the configured maximum lifetime.

The key is chosen by the header's ``alg``: RS256 only ever uses the Cognito JWKS and HS256 only
the partner keys, so an HS256 token "signed" with the public RSA key can never verify, and
``alg: none`` (or anything else) is refused outright.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import jwt

from meridian.auth.config import AuthorizerConfig
from meridian.auth.errors import TokenRejectedError
from meridian.auth.jwks import JwksCache
from meridian.auth.partner import PartnerKeyId, PartnerKeyStore

READ_SCOPE = "transactions:read"
WRITE_SCOPE = "transactions:write"
KNOWN_SCOPES = frozenset({READ_SCOPE, WRITE_SCOPE})
LEEWAY_SECONDS = 30
MAX_TOKEN_LENGTH = 8192
MAX_SUBJECT_LENGTH = 256

CallerKind = Literal["user", "partner"]


@dataclass(frozen=True)
class VerifiedCaller:
    """Who presented the token: ``kind`` and ``id`` are the namespace the functions act in."""

    kind: CallerKind
    id: str
    scopes: frozenset[str]


class TokenVerifier:
    def __init__(
        self, config: AuthorizerConfig, jwks: JwksCache, partner_keys: PartnerKeyStore
    ) -> None:
        self.config = config
        self.jwks = jwks
        self.partner_keys = partner_keys

    def verify(self, token: str) -> VerifiedCaller:
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
                return self._partner(token, header)
        except jwt.ExpiredSignatureError:
            raise TokenRejectedError("expired") from None
        except jwt.ImmatureSignatureError:
            raise TokenRejectedError("not_yet_valid") from None
        except jwt.InvalidIssuedAtError:
            raise TokenRejectedError("invalid_iat") from None
        except jwt.InvalidIssuerError:
            raise TokenRejectedError("wrong_issuer") from None
        except jwt.InvalidAudienceError:
            raise TokenRejectedError("wrong_audience") from None
        except jwt.MissingRequiredClaimError:
            raise TokenRejectedError("missing_claim") from None
        except jwt.PyJWTError:
            raise TokenRejectedError("invalid") from None
        raise TokenRejectedError("unsupported_algorithm")

    def _cognito(self, token: str, header: dict[str, Any]) -> VerifiedCaller:
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
        return VerifiedCaller("user", _subject(claims), KNOWN_SCOPES)

    def _partner(self, token: str, header: dict[str, Any]) -> VerifiedCaller:
        key_id = PartnerKeyId.parse(header.get("kid"))
        claims = jwt.decode(
            token,
            self.partner_keys.signing_key(key_id),
            algorithms=["HS256"],
            issuer=self.config.partner_issuer,
            audience=self.config.partner_audience,
            leeway=LEEWAY_SECONDS,
            # PyJWT also refuses an `iat` in the future (beyond the leeway) and non-integer ones.
            options={"require": ["exp", "iat", "iss", "aud", "sub"]},
        )
        # The identity is the key's owner; the claim may only confirm it.
        if claims.get("sub") != key_id.partner:
            raise TokenRejectedError("subject_mismatch")
        lifetime = int(claims["exp"]) - int(claims["iat"])
        if not 0 < lifetime <= self.config.partner_token_max_lifetime_seconds:
            raise TokenRejectedError("lifetime_too_long" if lifetime > 0 else "invalid_lifetime")
        scope = claims.get("scope", "")
        if not isinstance(scope, str):
            raise TokenRejectedError("malformed_scope")
        return VerifiedCaller("partner", key_id.partner, frozenset(scope.split()) & KNOWN_SCOPES)


def _subject(claims: dict[str, Any]) -> str:
    sub = claims.get("sub")
    if not isinstance(sub, str) or not sub or len(sub) > MAX_SUBJECT_LENGTH:
        raise TokenRejectedError("invalid_subject")
    return sub
