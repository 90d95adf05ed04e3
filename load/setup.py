"""Before and after the run: test users (Cognito), their profiles, partners; and their removal.

App users are made with the e2e helpers (tests/e2e/e2e_support/users.py: SignUp, admin confirm,
USER_PASSWORD_AUTH sign-in, admin delete). A pool that does not allow self sign-up
(``AllowAdminCreateUserOnly``) gets AdminCreateUser + AdminSetUserPassword(Permanent) instead
(https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_AdminSetUserPassword.html:
a permanent password moves the user to CONFIRMED).
"""

from __future__ import annotations

import contextlib
import secrets

import requests
from botocore.exceptions import ClientError  # type: ignore[import-untyped]
from e2e_support import aws as e2e_aws
from e2e_support.api import auth_header
from e2e_support.target import Target
from e2e_support.users import UserFactory, jwt_claims

from load.fleet import Fleet, Identity, loopback_source_addresses
from load.ledger import Ledger

PREFIX = "load"


def base_url(target: Target, via: str) -> str:
    """The URL clients call: the edge (CloudFront) by default, like real clients."""
    if via == "edge":
        if not target.edge_api_url:
            raise RuntimeError(
                "the target has no edge URL (stack.json edge_url / cloudfront_url output); "
                "use --via regional"
            )
        return target.edge_api_url
    return target.api_urls[target.active_region]


def build_fleet(
    target: Target,
    run_id: str,
    via: str = "edge",
    per_user_rate: float = 2.0,
    with_partners: bool = True,
) -> Fleet:
    partners = list(e2e_aws.partners(target).values()) if with_partners else []
    url = base_url(target, via)
    return Fleet(
        target=target,
        run_id=run_id,
        ledger=Ledger(run_id=run_id),
        base_url=url,
        per_user_rate=per_user_rate,
        partners=partners,
        source_addresses=loopback_source_addresses(url) if target.is_devstack else None,
    )


class LoadUserFactory(UserFactory):
    """The e2e factory; falls back to AdminCreateUser when the pool refuses SignUp."""

    def __init__(self, target: Target) -> None:
        super().__init__(target, prefix=PREFIX)
        self._admin = e2e_aws.client(target, "cognito-idp", target.cognito_region)

    def sign_up(self) -> tuple[str, str, str]:
        try:
            return super().sign_up()
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") != "NotAuthorizedException":
                raise
            # SignUp is disabled (admin-only pool): create with a permanent password.
            email = f"{PREFIX}-{secrets.token_hex(8)}@example.com"
            password = f"Aa1!{secrets.token_urlsafe(18)}"
            self._admin.admin_create_user(
                UserPoolId=self._target.user_pool_id,
                Username=email,
                UserAttributes=[
                    {"Name": "email", "Value": email},
                    {"Name": "email_verified", "Value": "true"},
                ],
                MessageAction="SUPPRESS",
            )
            self._admin.admin_set_user_password(
                UserPoolId=self._target.user_pool_id,
                Username=email,
                Password=password,
                Permanent=True,
            )
            return email, email, password

    def confirm(self, username: str) -> None:
        status = self._admin.admin_get_user(
            UserPoolId=self._target.user_pool_id, Username=username
        ).get("UserStatus")
        if status != "CONFIRMED":
            super().confirm(username)


_FACTORIES: dict[int, LoadUserFactory] = {}


def factory_for(fleet: Fleet) -> LoadUserFactory:
    return _FACTORIES.setdefault(id(fleet), LoadUserFactory(fleet.target))


def prepare_identities(fleet: Fleet, count: int, session: requests.Session | None = None) -> None:
    """Create ``count`` app users, each signed in and with a profile (POST /profiles)."""
    http = session or requests.Session()
    factory = factory_for(fleet)
    for index in range(count):
        user = factory.create()
        owner = f"user:{jwt_claims(user.id_token)['sub']}"
        fields = {"display_name": f"Load user {index}", "locale": "en-GB"}
        response = http.post(
            f"{fleet.base_url}/profiles",
            json=fields,
            headers=auth_header(user.id_token),
            timeout=60,
        )
        if response.status_code != 201:
            raise RuntimeError(f"POST /profiles -> {response.status_code}: {response.text[:200]}")
        body = response.json()
        identity = Identity(
            owner=owner,
            username=user.username,
            id_token=user.id_token,
            profile_version=int(body["version"]),
            profile_fields=fields,
        )
        fleet.ledger.record_profile(owner, identity.profile_version, fields)
        fleet.add_identity(identity)


def fresh_token(fleet: Fleet, identity: Identity) -> str:
    """A new ID token for the identity (a token the authorizer cache has not seen)."""
    factory = factory_for(fleet)
    for user in factory.created:
        if user.username == identity.username:
            return str(factory.sign_in(user.username, user.password)["IdToken"])
    raise KeyError(identity.username)


def cleanup(fleet: Fleet) -> list[str]:
    """Erase every identity's profile and sessions (DELETE /profiles/me) and delete the Cognito
    users. Transactions stay (they are records; nothing can address them once the user is gone).
    Returns what could not be removed."""
    problems: list[str] = []
    http = requests.Session()
    for identity in fleet.identities:
        try:
            response = http.delete(
                f"{fleet.base_url}/profiles/me", headers=auth_header(identity.id_token), timeout=60
            )
            if response.status_code not in (204, 404):
                problems.append(f"{identity.owner}: DELETE /profiles/me -> {response.status_code}")
        except requests.RequestException as error:
            problems.append(f"{identity.owner}: DELETE /profiles/me: {error}")
    factory = _FACTORIES.pop(id(fleet), None)
    if factory is not None:
        for user in list(factory.created):
            with contextlib.suppress(Exception):
                factory.delete(user.username)
        factory.created.clear()
    return problems
