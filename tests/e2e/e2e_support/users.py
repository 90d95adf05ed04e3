"""Test users in the target's Cognito user pool: sign up, confirm, sign in, and clean up."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import json
import secrets
import uuid
from dataclasses import dataclass
from typing import Any

from .aws import client
from .target import Target


@dataclass(frozen=True)
class User:
    username: str
    email: str
    password: str
    sub: str
    id_token: str
    access_token: str
    refresh_token: str | None


def jwt_claims(token: str) -> dict[str, Any]:
    """The (unverified) claims of a JWT: only used to learn our own user's ``sub``."""
    payload = token.split(".")[1]
    padded = payload + "=" * (-len(payload) % 4)
    claims = json.loads(base64.urlsafe_b64decode(padded))
    if not isinstance(claims, dict):
        raise ValueError("JWT payload is not a JSON object")
    return claims


def _strong_password() -> str:
    # Meets any Cognito password policy: upper, lower, digit, symbol, length >= 16.
    return f"Aa1!{secrets.token_urlsafe(18)}"


class UserFactory:
    """Creates confirmed users and deletes them (admin delete) in :meth:`cleanup`."""

    def __init__(self, target: Target, prefix: str = "e2e") -> None:
        self._target = target
        self._prefix = prefix
        self._cognito = client(target, "cognito-idp", target.cognito_region)
        self._client_secret: str | bool | None = False  # False = not looked up yet
        self.created: list[User] = []

    def _secret_hash(self, username: str) -> dict[str, str]:
        """SECRET_HASH is needed only when the app client has a secret (a public app's has not)."""
        if self._client_secret is False:
            described = self._cognito.describe_user_pool_client(
                UserPoolId=self._target.user_pool_id, ClientId=self._target.client_id
            )["UserPoolClient"]
            self._client_secret = described.get("ClientSecret")
        if not self._client_secret:
            return {}
        digest = hmac.new(
            str(self._client_secret).encode(),
            (username + self._target.client_id).encode(),
            hashlib.sha256,
        ).digest()
        return {"SECRET_HASH": base64.b64encode(digest).decode()}

    def sign_up(self) -> tuple[str, str, str]:
        """Sign up a new user (username = email) and return (username, email, password)."""
        email = f"{self._prefix}-{uuid.uuid4().hex[:16]}@example.com"
        password = _strong_password()
        self._cognito.sign_up(
            ClientId=self._target.client_id,
            Username=email,
            Password=password,
            UserAttributes=[{"Name": "email", "Value": email}],
            **self._secret_hash_kwargs(email),
        )
        return email, email, password

    def _secret_hash_kwargs(self, username: str) -> dict[str, str]:
        hashed = self._secret_hash(username)
        return {"SecretHash": hashed["SECRET_HASH"]} if hashed else {}

    def confirm(self, username: str) -> None:
        self._cognito.admin_confirm_sign_up(UserPoolId=self._target.user_pool_id, Username=username)

    def sign_in(self, username: str, password: str) -> dict[str, Any]:
        """USER_PASSWORD_AUTH (enabled on local/dev app clients); returns AuthenticationResult."""
        response = self._cognito.initiate_auth(
            ClientId=self._target.client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={
                "USERNAME": username,
                "PASSWORD": password,
                **self._secret_hash(username),
            },
        )
        result = response.get("AuthenticationResult")
        if not result:
            raise RuntimeError(f"sign-in did not finish: challenge {response.get('ChallengeName')}")
        return dict(result)

    def create(self) -> User:
        username, email, password = self.sign_up()
        try:
            self.confirm(username)
            tokens = self.sign_in(username, password)
        except Exception:
            self.delete(username)
            raise
        user = User(
            username=username,
            email=email,
            password=password,
            sub=str(jwt_claims(tokens["IdToken"])["sub"]),
            id_token=tokens["IdToken"],
            access_token=tokens["AccessToken"],
            refresh_token=tokens.get("RefreshToken"),
        )
        self.created.append(user)
        return user

    def delete(self, username: str) -> None:
        with contextlib.suppress(self._cognito.exceptions.UserNotFoundException):
            self._cognito.admin_delete_user(UserPoolId=self._target.user_pool_id, Username=username)

    def cleanup(self) -> None:
        for user in self.created:
            self.delete(user.username)
        self.created.clear()
