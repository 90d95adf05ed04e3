"""Partner tokens: HS256 JWTs signed with the partner's own key, held in Secrets Manager.

Each (partner, key id) has its secret ``<PARTNER_KEY_SECRET_PREFIX><partner>/<key id>`` with the
value ``{"signing_key": ...}``; a token names its key in the header (``kid`` =
``<partner>/<key id>``) and its partner in ``sub`` (docs/interfaces.md).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from . import tokens


@dataclass(frozen=True)
class Partner:
    name: str
    key_id: str
    issuer: str
    audience: str
    signing_key: str

    @property
    def kid(self) -> str:
        return tokens.partner_kid(self.name, self.key_id)

    def token(
        self,
        sub: str | None = None,
        scopes: str = "transactions:read transactions:write",
        *,
        key: str | None = None,
        kid: str | None = None,
        issuer: str | None = None,
        audience: str | None = None,
        lifetime: int = 600,
        issued_ago: int = 0,
        with_iat: bool = True,
    ) -> str:
        """A token of this partner; every argument overrides one part, to forge a bad one.

        ``sub`` defaults to the partner's name (anything else is refused), ``kid`` to its own
        key (``""`` leaves the header without a kid), ``key`` to its signing key.
        """
        claims = tokens.partner_claims(
            issuer=issuer or self.issuer,
            audience=audience or self.audience,
            sub=self.name if sub is None else sub,
            scopes=scopes,
            lifetime=lifetime,
            issued_ago=issued_ago,
            with_iat=with_iat,
        )
        header_kid = self.kid if kid is None else kid
        header = {"kid": header_kid} if header_kid else None
        return tokens.sign_hs256(claims, (key or self.signing_key).encode(), header=header)


def partners_from_secrets(
    secrets_client: Any,  # a boto3 Secrets Manager client
    prefix: str,
    issuer: str,
    audience: str,
) -> dict[str, Partner]:
    """Every partner with a key secret under ``prefix``, signing with its last key id (sorted).

    Secret names are ``<prefix><partner>/<key id>``; while a partner rotates, both ids are valid.
    """
    names: list[str] = []
    paginator = secrets_client.get_paginator("list_secrets")
    for page in paginator.paginate(Filters=[{"Key": "name", "Values": [prefix]}]):
        names.extend(
            str(entry["Name"])
            for entry in page.get("SecretList", [])
            if str(entry.get("Name", "")).startswith(prefix)
        )
    partners: dict[str, Partner] = {}
    for name in sorted(names):
        partner, _, key_id = name[len(prefix) :].partition("/")
        if not partner or not key_id or "/" in key_id:
            continue
        value = secrets_client.get_secret_value(SecretId=name)["SecretString"]
        partners[partner] = Partner(
            name=partner,
            key_id=key_id,
            issuer=issuer,
            audience=audience,
            signing_key=str(json.loads(value)["signing_key"]),
        )
    return partners
