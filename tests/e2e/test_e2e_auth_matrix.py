"""Suite 2: every protected route against every kind of bad credential.

Each case must get the exact 401 (or 403 for a valid partner token lacking the scope) with the
error body, never a 5xx. Positive controls (a valid token, and on the devstack a token forged with
the emulator's key but otherwise correct) prove the negative cases fail for the stated reason.

Partners (docs/interfaces.md): each signs with its own key, named by the token's ``kid``
(``<partner>/<key id>``); ``sub`` must be the partner itself, ``iat`` is required and ``exp - iat``
at most PARTNER_TOKEN_MAX_LIFETIME_SECONDS. A partner acts only in its own namespace: it never
sees a user's transactions nor another partner's.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from e2e_support import aws, tokens
from e2e_support.api import Api, describe, expect_error
from e2e_support.partner import Partner
from e2e_support.target import Target
from e2e_support.users import User, jwt_claims


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    family: str  # "profiles" (Cognito authorizer) or "transactions" (Lambda authorizer)
    body: dict[str, Any] | None = None

    @property
    def id(self) -> str:
        return f"{self.method} {self.path}"


SESSION_ID = "01ARZ3NDEKTSV4RRFFQ69G5FAV"
ROUTES = [
    Route("POST", "/profiles", "profiles", {"display_name": "Mallory"}),
    Route("GET", "/profiles/me", "profiles"),
    Route("PUT", "/profiles/me", "profiles", {"display_name": "Mallory", "version": 1}),
    Route("DELETE", "/profiles/me", "profiles"),
    Route("POST", "/profiles/me/sessions", "profiles", {"device_name": "x", "platform": "web"}),
    Route("GET", "/profiles/me/sessions", "profiles"),
    Route("DELETE", f"/profiles/me/sessions/{SESSION_ID}", "profiles"),
    Route("GET", "/profiles/me/export", "profiles"),
    Route(
        "POST",
        "/transactions",
        "transactions",
        {"amount": "1.00", "currency": "USD", "type": "debit"},
    ),
    Route("GET", "/transactions", "transactions"),
    Route("GET", f"/transactions/{SESSION_ID}", "transactions"),
]
TRANSACTION_ROUTES = [route for route in ROUTES if route.family == "transactions"]


def call(api: Api, route: Route, authorization: str | None) -> Any:
    headers = {"Idempotency-Key": uuid.uuid4().hex} if route.method == "POST" else {}
    kwargs: dict[str, Any] = {"headers": headers}
    if authorization is not None:
        kwargs["raw_authorization"] = authorization
    if route.body is not None:
        kwargs["json_body"] = route.body
    return api.request(route.method, route.path, **kwargs)


@dataclass
class Context:
    target: Target
    user: User
    partner: Partner
    emulator_key: Callable[[], tuple[Any, str]]
    max_lifetime: int  # PARTNER_TOKEN_MAX_LIFETIME_SECONDS of the authorizer
    other_partner_kid: str  # another partner's kid (a made-up one when the stack has one partner)

    @property
    def kid(self) -> str | None:
        kid = tokens.header_of(self.user.id_token).get("kid")
        return str(kid) if kid is not None else None

    def claims(self, **overrides: Any) -> dict[str, Any]:
        claims = jwt_claims(self.user.id_token)
        claims.update(overrides)
        return claims

    def access_claims(self, **overrides: Any) -> dict[str, Any]:
        claims = jwt_claims(self.user.access_token)
        claims.update(overrides)
        return claims

    def cognito_forged(self, claims: dict[str, Any]) -> str:
        """Signed with a key that verifies on the devstack (moto's fixture key, see tokens.py).

        Against AWS we cannot sign as Cognito: a fresh key is used and the case must still fail.
        """
        if self.target.is_devstack:
            key, kid = self.emulator_key()
            return tokens.sign_rs256(claims, key, kid)
        return tokens.sign_rs256(claims, tokens.new_rsa_key(), self.kid)


def bearer(token: str) -> str:
    return f"Bearer {token}"


# name -> builder of the Authorization header value (None = no header).
BAD_COGNITO_CASES: dict[str, Callable[[Context], str | None]] = {
    "no_token": lambda ctx: None,
    "empty_bearer": lambda ctx: "Bearer ",
    "basic_scheme": lambda ctx: "Basic dXNlcjpwYXNzd29yZA==",
    "malformed": lambda ctx: bearer("not-a-jwt"),
    "three_garbage_segments": lambda ctx: bearer("abc.def.ghi"),
    "random_bytes": lambda ctx: bearer(secrets.token_urlsafe(300)),
    "bad_signature": lambda ctx: bearer(tokens.tamper_signature(ctx.user.id_token)),
    "truncated_signature": lambda ctx: bearer(ctx.user.id_token.rsplit(".", 1)[0] + "."),
    "alg_none": lambda ctx: bearer(tokens.unsigned(ctx.claims(), ctx.kid)),
    "hs256_keyed_with_rs256_public_key": lambda ctx: bearer(
        tokens.sign_hs256(
            ctx.claims(),
            tokens.public_key_pem(_jwk(ctx)),
            header={"kid": ctx.kid} if ctx.kid else None,
        )
    ),
    "rs256_signed_by_another_key": lambda ctx: bearer(
        tokens.sign_rs256(ctx.claims(), tokens.new_rsa_key(), ctx.kid)
    ),
    "expired": lambda ctx: bearer(
        ctx.cognito_forged(
            tokens.cognito_claims(
                issuer=ctx.target.issuer,
                client_id=ctx.target.client_id,
                sub=ctx.user.sub,
                lifetime=60,
                issued_ago=7200,
            )
        )
    ),
    "wrong_issuer": lambda ctx: bearer(
        ctx.cognito_forged(
            tokens.cognito_claims(
                issuer=f"https://cognito-idp.{ctx.target.cognito_region}.amazonaws.com/"
                f"{ctx.target.cognito_region}_NotOurPool",
                client_id=ctx.target.client_id,
                sub=ctx.user.sub,
            )
        )
    ),
    "id_token_claiming_token_use_refresh": lambda ctx: bearer(
        ctx.cognito_forged(ctx.claims(token_use="refresh", exp=ctx.claims()["exp"]))
    ),
    "partner_key_signing_cognito_claims": lambda ctx: bearer(
        tokens.sign_hs256(ctx.claims(), ctx.partner.signing_key.encode())
    ),
    "partner_key_signing_cognito_claims_with_partner_kid": lambda ctx: bearer(
        tokens.sign_hs256(
            ctx.claims(), ctx.partner.signing_key.encode(), header={"kid": ctx.partner.kid}
        )
    ),
}

# Cases that only the Cognito authorizer must refuse (the Lambda authorizer accepts partners).
PROFILES_ONLY_CASES: dict[str, Callable[[Context], str | None]] = {
    "valid_partner_token_on_profiles": lambda ctx: bearer(ctx.partner.token()),
}

# Cases only the Lambda authorizer refuses: it checks the ID token's aud and the access token's
# client_id against COGNITO_APP_CLIENT_IDS. API Gateway's Cognito authorizer does not (it accepts
# tokens of any app client of the pool), so these are not asserted on /profiles.
TRANSACTIONS_ONLY_CASES: dict[str, Callable[[Context], str | None]] = {
    "wrong_audience": lambda ctx: bearer(
        ctx.cognito_forged(
            tokens.cognito_claims(
                issuer=ctx.target.issuer, client_id="someoneelsesclient", sub=ctx.user.sub
            )
        )
    ),
    "access_token_wrong_client_id": lambda ctx: bearer(
        ctx.cognito_forged(
            tokens.cognito_claims(
                issuer=ctx.target.issuer,
                client_id="someoneelsesclient",
                sub=ctx.user.sub,
                token_use="access",
            )
        )
    ),
    "partner_wrong_key": lambda ctx: bearer(ctx.partner.token(key=secrets.token_urlsafe(48))),
    "partner_expired": lambda ctx: bearer(ctx.partner.token(lifetime=60, issued_ago=3600)),
    "partner_wrong_issuer": lambda ctx: bearer(
        ctx.partner.token(issuer="https://evil.example.com")
    ),
    "partner_wrong_audience": lambda ctx: bearer(ctx.partner.token(audience="some-other-api")),
    "partner_alg_none": lambda ctx: bearer(
        tokens.unsigned(
            tokens.partner_claims(
                issuer=ctx.partner.issuer, audience=ctx.partner.audience, sub=ctx.partner.name
            ),
            ctx.partner.kid,
        )
    ),
    "partner_missing_sub": lambda ctx: bearer(
        tokens.sign_hs256(
            {
                k: v
                for k, v in tokens.partner_claims(
                    issuer=ctx.partner.issuer, audience=ctx.partner.audience, sub="x"
                ).items()
                if k != "sub"
            },
            ctx.partner.signing_key.encode(),
            header={"kid": ctx.partner.kid},
        )
    ),
    # Separate namespaces: a partner token naming a user (or another partner) is refused, never
    # served from that user's data (issue 11 item 1).
    "partner_sub_is_a_user": lambda ctx: bearer(ctx.partner.token(sub=ctx.user.sub)),
    "partner_sub_is_another_partner": lambda ctx: bearer(
        ctx.partner.token(sub=ctx.other_partner_kid.split("/", 1)[0])
    ),
    # One partner cannot mint tokens for another: its key does not verify under their kid.
    "partner_kid_of_another_partner": lambda ctx: bearer(
        ctx.partner.token(kid=ctx.other_partner_kid)
    ),
    "partner_kid_and_sub_of_another_partner": lambda ctx: bearer(
        ctx.partner.token(sub=ctx.other_partner_kid.split("/", 1)[0], kid=ctx.other_partner_kid)
    ),
    "partner_unknown_key_id": lambda ctx: bearer(
        ctx.partner.token(kid=tokens.partner_kid(ctx.partner.name, "no-such-key"))
    ),
    "partner_without_kid": lambda ctx: bearer(ctx.partner.token(kid="")),
    "partner_kid_path_traversal": lambda ctx: bearer(
        ctx.partner.token(kid=f"{ctx.partner.name}/../{ctx.partner.key_id}")
    ),
    # Partner tokens must not live forever (issue 11 item 2).
    "partner_without_iat": lambda ctx: bearer(ctx.partner.token(with_iat=False)),
    "partner_over_max_lifetime": lambda ctx: bearer(
        ctx.partner.token(lifetime=ctx.max_lifetime + 60)
    ),
    "partner_hundred_year_token": lambda ctx: bearer(
        ctx.partner.token(lifetime=100 * 365 * 24 * 3600)
    ),
}


def _jwk(ctx: Context) -> dict[str, Any]:
    jwks = tokens.fetch_jwks(ctx.target.jwks_url)
    for key in jwks["keys"]:
        if ctx.kid is None or key.get("kid") == ctx.kid:
            return dict(key)
    return dict(jwks["keys"][0])


@pytest.fixture(scope="module")
def max_lifetime(target: Target) -> int:
    environment = aws.authorizer_environment(target)
    return int(environment.get("PARTNER_TOKEN_MAX_LIFETIME_SECONDS", "3600"))


@pytest.fixture(scope="module")
def ctx(
    target: Target,
    user_factory: Any,
    partner: Partner,
    partners: dict[str, Partner],
    max_lifetime: int,
) -> Context:
    def emulator_key() -> tuple[Any, str]:
        return tokens.emulator_signing_key()

    others = [other for name, other in sorted(partners.items()) if name != partner.name]
    other_kid = others[0].kid if others else tokens.partner_kid("not-a-partner", "k1")
    return Context(target, user_factory.create(), partner, emulator_key, max_lifetime, other_kid)


def _cases_for(route: Route) -> list[tuple[str, Callable[[Context], str | None]]]:
    cases = dict(BAD_COGNITO_CASES)
    cases.update(PROFILES_ONLY_CASES if route.family == "profiles" else TRANSACTIONS_ONLY_CASES)
    return sorted(cases.items())


MATRIX = [
    pytest.param(route, name, build, id=f"{route.id}|{name}")
    for route in ROUTES
    for name, build in _cases_for(route)
]


@pytest.mark.parametrize(("route", "case", "build"), MATRIX)
def test_bad_credentials_are_401(
    api: Api, ctx: Context, route: Route, case: str, build: Callable[[Context], str | None]
) -> None:
    response = call(api, route, build(ctx))
    expect_error(response, 401)


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.id)
def test_valid_id_token_passes_the_authorizer(api: Api, ctx: Context, route: Route) -> None:
    response = call(api, route, bearer(ctx.user.id_token))
    assert response.status_code not in (401, 403), describe(response)
    assert response.status_code < 500, describe(response)


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.id)
def test_token_forged_with_the_emulator_key_is_accepted(
    api: Api, ctx: Context, route: Route, target: Target
) -> None:
    """Control for expired / wrong_issuer / wrong_audience: the same forging with correct claims
    passes, so those cases are refused for their claim, not for their signature."""
    if not target.is_devstack:
        pytest.skip("cannot sign as real Cognito: the control exists only on the devstack")
    token = ctx.cognito_forged(
        tokens.cognito_claims(issuer=target.issuer, client_id=target.client_id, sub=ctx.user.sub)
    )
    response = call(api, route, bearer(token))
    assert response.status_code not in (401, 403), describe(response)
    assert response.status_code < 500, describe(response)


@pytest.mark.parametrize("route", TRANSACTION_ROUTES, ids=lambda r: r.id)
def test_access_token_accepted_on_transactions(api: Api, ctx: Context, route: Route) -> None:
    response = call(api, route, bearer(ctx.user.access_token))
    assert response.status_code not in (401, 403), describe(response)
    assert response.status_code < 500, describe(response)


PARTNER_SCOPE_CASES = [
    # (scopes, route index in TRANSACTION_ROUTES, expected status)
    ("transactions:read transactions:write", 0, 201),
    ("transactions:read transactions:write", 1, 200),
    ("transactions:read transactions:write", 2, 404),
    ("transactions:read", 0, 403),
    ("transactions:read", 1, 200),
    ("transactions:read", 2, 404),
    ("transactions:write", 0, 201),
    ("transactions:write", 1, 403),
    ("transactions:write", 2, 403),
    ("", 0, 403),
    ("", 1, 403),
    ("", 2, 403),
    ("profiles:read", 0, 403),
    ("profiles:read", 1, 403),
]


@pytest.mark.parametrize(
    ("scopes", "route_index", "expected"),
    PARTNER_SCOPE_CASES,
    ids=[f"{s or 'no-scope'}|{TRANSACTION_ROUTES[i].id}" for s, i, _ in PARTNER_SCOPE_CASES],
)
def test_partner_token_scopes(
    api: Api, partner: Partner, scopes: str, route_index: int, expected: int
) -> None:
    route = TRANSACTION_ROUTES[route_index]
    token = partner.token(scopes=scopes)
    response = call(api, route, bearer(token))
    if expected >= 400:
        expect_error(response, expected)
    else:
        assert response.status_code == expected, describe(response)


def test_partner_writes_are_readable_by_the_partner(api: Api, partner: Partner) -> None:
    token = partner.token()
    created = api.post_transaction(token, {"amount": "3.50", "currency": "CHF", "type": "credit"})
    assert created.status_code == 201, describe(created)
    fetched = api.get(f"/transactions/{created.json()['transaction_id']}", token=token)
    assert fetched.status_code == 200, describe(fetched)
    assert fetched.json() == created.json()


def test_partner_token_of_exactly_the_maximum_lifetime_is_accepted(
    api: Api, partner: Partner, max_lifetime: int
) -> None:
    """Control for partner_over_max_lifetime: refused for its lifetime, nothing else."""
    response = api.get("/transactions", token=partner.token(lifetime=max_lifetime))
    assert response.status_code == 200, describe(response)


def test_every_partner_key_signs_for_its_partner(api: Api, partners: dict[str, Partner]) -> None:
    """Control for partner_kid_of_another_partner: each partner's own kid and key pass."""
    for other in partners.values():
        response = api.get("/transactions", token=other.token())
        assert response.status_code == 200, f"{other.kid}: {describe(response)}"


def _ids(api: Api, token: str) -> set[str]:
    return {item["transaction_id"] for item in api.all_transactions(token)}


def test_partners_and_users_live_in_separate_namespaces(
    api: Api, ctx: Context, partner: Partner, other_partner: Partner
) -> None:
    """A partner lists only its own transactions; neither another partner nor a user sees them
    (nor fetches them by id), and the partner never sees the user's (issue 11 item 1)."""
    body = {"amount": "4.20", "currency": "EUR", "type": "credit"}
    mine = api.post_transaction(partner.token(), body)
    assert mine.status_code == 201, describe(mine)
    theirs = api.post_transaction(other_partner.token(), body)
    assert theirs.status_code == 201, describe(theirs)
    users = api.post_transaction(ctx.user.id_token, body)
    assert users.status_code == 201, describe(users)
    mine_id, theirs_id, users_id = (
        response.json()["transaction_id"] for response in (mine, theirs, users)
    )

    assert mine_id in _ids(api, partner.token())
    assert {theirs_id, users_id}.isdisjoint(_ids(api, partner.token()))
    assert mine_id not in _ids(api, other_partner.token())
    assert mine_id not in _ids(api, ctx.user.id_token)
    for token, foreign in (
        (other_partner.token(), mine_id),
        (ctx.user.id_token, mine_id),
        (partner.token(), users_id),
        (partner.token(), theirs_id),
    ):
        expect_error(api.get(f"/transactions/{foreign}", token=token), 404)
