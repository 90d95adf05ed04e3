"""Cognito: the redirect URLs of CreateUserPoolClient / UpdateUserPoolClient.

https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_CreateUserPoolClient.html
(CallbackURLs): a redirect URI must be an absolute URI, must not include a fragment, and "Amazon
Cognito requires HTTPS over HTTP except for http://localhost for testing purposes only. App
callback URLs such as myapp://example are also supported." The loopback literals 127.0.0.1 and
[::1] are accepted over HTTP too since 2025 (an AWS engineer's announcement:
https://github.com/microsoft/vscode/issues/256122). The same rules hold for LogoutURLs and
DefaultRedirectURI. moto 5.2.1 stores any string. AWS answers ``InvalidParameterException``
(HTTP 400); the message text below is ours, AWS's exact wording is not documented.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from devstack.validation import json_protocol_error
from devstack.wsgi import AwsRequest, Response

_OPERATIONS = frozenset({"CreateUserPoolClient", "UpdateUserPoolClient"})
_LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})


def redirect_url_problem(url: str) -> str | None:
    """Why Cognito refuses this redirect URL, or None when it accepts it."""
    parts = urlsplit(url)
    if not parts.scheme or not (parts.netloc or parts.path):
        return "must be an absolute URI"
    if parts.fragment or "#" in url:
        return "must not include a fragment component"
    if parts.scheme == "http" and parts.hostname not in _LOOPBACK_HOSTS:
        return "must use HTTPS (HTTP is allowed only for http://localhost)"
    return None


def check(request: AwsRequest) -> Response | None:
    """AWS's refusal of a user pool client's redirect URLs, or None."""
    if request.target not in _OPERATIONS:
        return None
    body = request.json()
    for field in ("CallbackURLs", "LogoutURLs", "DefaultRedirectURI"):
        value = body.get(field)
        urls = [value] if isinstance(value, str) else value if isinstance(value, list) else []
        for url in urls:
            problem = redirect_url_problem(str(url))
            if problem is not None:
                return json_protocol_error(
                    "InvalidParameterException", f"Invalid {field} value {url!r}: {problem}."
                )
    return None
