"""Partner tokens: HS256 JWTs signed with the key held in Secrets Manager."""

from __future__ import annotations

from dataclasses import dataclass

from . import tokens


@dataclass(frozen=True)
class Partner:
    issuer: str
    audience: str
    signing_key: str

    def token(
        self,
        sub: str,
        scopes: str = "transactions:read transactions:write",
        *,
        key: str | None = None,
        issuer: str | None = None,
        audience: str | None = None,
        lifetime: int = 600,
        issued_ago: int = 0,
    ) -> str:
        claims = tokens.partner_claims(
            issuer=issuer or self.issuer,
            audience=audience or self.audience,
            sub=sub,
            scopes=scopes,
            lifetime=lifetime,
            issued_ago=issued_ago,
        )
        return tokens.sign_hs256(claims, (key or self.signing_key).encode())
