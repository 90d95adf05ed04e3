"""Where the system under test lives: the devstack's stack.json or a real deployment's outputs.

Selection (first match wins):
- ``E2E_TERRAFORM_OUTPUTS=path``: a file written by ``terraform output -json`` (a real deployment).
- ``E2E_TARGET=aws``: run ``terraform -chdir=$E2E_TERRAFORM_DIR output -json`` (default ``infra``).
- otherwise ``E2E_STACK_JSON`` or ``.devstack/stack.json`` (the local devstack).

The loader is tolerant about output names because the infrastructure may still rename them; the
accepted names are listed next to each field.
"""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml

REPO_ROOT = Path(__file__).resolve().parents[3]
DEFAULT_STACK_JSON = REPO_ROOT / ".devstack" / "stack.json"

# Accepted output names, best first.
API_URL_KEYS = ("api_urls", "regional_api_urls", "api_endpoints", "api_invoke_urls", "stage_urls")
USER_POOL_KEYS = ("user_pool_id", "cognito_user_pool_id")
CLIENT_ID_KEYS = (
    "user_pool_client_id",
    "cognito_user_pool_client_id",
    "user_pool_client_ids",
    "app_client_id",
    "cognito_client_id",
    "client_id",
)
PARTNER_SECRET_KEYS = ("partner_secret_arn", "partner_signing_secret_arn", "partner_jwt_secret_arn")
PARTNER_ISSUER_KEYS = ("partner_issuer", "partner_token_issuer")
PARTNER_AUDIENCE_KEYS = ("partner_audience", "partner_token_audience")
AUTHORIZER_FUNCTION_KEYS = ("authorizer_function_name", "authorizer_function_names")
FUNCTION_NAME_MAP_KEYS = ("lambda_function_names", "function_names")  # {region: {function: name}}
TABLE_KEYS = ("table_name", "dynamodb_table_name")
OPENAPI_KEYS = ("openapi_document", "openapi_body", "openapi")
EDGE_URL_KEYS = ("custom_domain_url", "cloudfront_url")  # the public URL, best first
DISTRIBUTION_ID_KEYS = ("cloudfront_distribution_id", "distribution_id")


class TargetConfigError(RuntimeError):
    """The target description is missing or incomplete; the message says what to do."""


@dataclass(frozen=True)
class Target:
    kind: str  # "devstack" or "aws"
    primary_region: str
    secondary_region: str | None
    api_urls: dict[str, str]  # region -> base URL including the stage, no trailing slash
    user_pool_id: str
    cognito_region: str
    client_id: str
    aws_endpoint_url: str | None = None
    partner_secret_arn: str | None = None
    partner_issuer: str | None = None
    partner_audience: str | None = None
    authorizer_function_name: str | None = None
    table_name: str | None = None
    openapi_document: dict[str, Any] | None = None
    outputs: dict[str, Any] = field(default_factory=dict)
    # The CloudFront distribution's URL without the stage (devstack: the local edge).
    edge_url: str | None = None
    distribution_id: str | None = None

    @property
    def is_devstack(self) -> bool:
        return self.kind == "devstack"

    @property
    def primary_api_url(self) -> str:
        return self.api_urls[self.primary_region]

    @property
    def secondary_api_url(self) -> str | None:
        if self.secondary_region is None:
            return None
        return self.api_urls.get(self.secondary_region)

    @property
    def active_region(self) -> str:
        """The region CloudFront sends every request to (the ``active_region`` output)."""
        return str(self.outputs.get("active_region") or self.primary_region)

    @property
    def stage(self) -> str:
        """The stage name: the end of a stage URL (``.../v1`` or ``.../v1/_user_request_``)."""
        parts = self.primary_api_url.rstrip("/").split("/")
        return parts[-2] if parts[-1] == "_user_request_" else parts[-1]

    @property
    def edge_api_url(self) -> str | None:
        """The API through the edge, as a client calls it: ``{edge_url}/{stage}``."""
        return f"{self.edge_url.rstrip('/')}/{self.stage}" if self.edge_url else None

    @cached_property
    def origin_verify_headers(self) -> dict[str, str]:
        """The custom headers CloudFront adds to origin requests (the origin-verify secret).

        Read from the distribution's configuration through the CloudFront API, on AWS and on the
        devstack alike, so a direct regional call carries what the edge would add.
        """
        return read_origin_headers(self)

    def api_id(self, region: str) -> str | None:
        """The REST API id in a region's stage URL (``https://{id}.execute-api...`` or
        ``.../restapis/{id}/...``)."""
        url = self.api_urls.get(region, "")
        if "/restapis/" in url:
            return url.split("/restapis/", 1)[1].split("/", 1)[0]
        host = url.split("://", 1)[-1].split("/", 1)[0]
        return host.split(".", 1)[0] if ".execute-api." in host else None

    @property
    def issuer(self) -> str:
        """The issuer Cognito puts in its tokens (also on the emulator)."""
        return f"https://cognito-idp.{self.cognito_region}.amazonaws.com/{self.user_pool_id}"

    @property
    def jwks_url(self) -> str:
        if self.aws_endpoint_url:
            return f"{self.aws_endpoint_url.rstrip('/')}/{self.user_pool_id}/.well-known/jwks.json"
        return f"{self.issuer}/.well-known/jwks.json"


def unwrap_outputs(raw: Mapping[str, Any]) -> dict[str, Any]:
    """Turn ``terraform output -json`` ({"name": {"value": v, ...}}) into {"name": v}.

    Plain {"name": v} maps (as the devstack may already have unwrapped them) pass through.
    """
    unwrapped: dict[str, Any] = {}
    for name, value in raw.items():
        if (
            isinstance(value, Mapping)
            and "value" in value
            and set(value)
            <= {
                "value",
                "type",
                "sensitive",
            }
        ):
            unwrapped[name] = value["value"]
        else:
            unwrapped[name] = value
    return unwrapped


def _first(outputs: Mapping[str, Any], keys: Iterable[str]) -> Any:
    for key in keys:
        value = outputs.get(key)
        if value not in (None, "", {}, []):
            return value
    return None


def _one_string(value: Any, prefer: Iterable[str] = ()) -> str | None:
    """A single string from a string, a list or a map (preferring the given keys)."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping):
        for key in prefer:
            if isinstance(value.get(key), str):
                return str(value[key])
        for item in value.values():
            found = _one_string(item, prefer)
            if found:
                return found
        return None
    if isinstance(value, list | tuple):
        for item in value:
            found = _one_string(item, prefer)
            if found:
                return found
    return None


def _url_map(value: Any) -> dict[str, str]:
    """{region: url} from {region: url} or {region: {"url"|"invoke_url"|"api_url": url}}."""
    urls: dict[str, str] = {}
    if isinstance(value, Mapping):
        for region, item in value.items():
            url = _one_string(item, prefer=("api_url", "invoke_url", "url", "stage_url"))
            if url:
                urls[str(region)] = url.rstrip("/")
    return urls


def parse_openapi(value: Any) -> dict[str, Any] | None:
    """The OpenAPI document from an output holding a dict, a JSON string or a YAML string."""
    if isinstance(value, Mapping):
        return dict(value)
    if isinstance(value, str) and value.strip():
        parsed = yaml.safe_load(value)  # YAML is a superset of JSON
        if isinstance(parsed, dict):
            return parsed
    return None


def _authorizer_name(outputs: Mapping[str, Any], primary: str) -> str | None:
    direct = _one_string(_first(outputs, AUTHORIZER_FUNCTION_KEYS), prefer=(primary,))
    if direct:
        return direct
    by_region = _first(outputs, FUNCTION_NAME_MAP_KEYS)
    if isinstance(by_region, Mapping) and isinstance(by_region.get(primary), Mapping):
        name = by_region[primary].get("authorizer")
        return str(name) if name else None
    return None


def build_target(
    outputs: Mapping[str, Any],
    *,
    kind: str,
    aws_endpoint_url: str | None = None,
    stack: Mapping[str, Any] | None = None,
) -> Target:
    stack = stack or {}
    outputs = unwrap_outputs(outputs)

    api_urls = _url_map(stack.get("regions")) or _url_map(_first(outputs, API_URL_KEYS))
    if not api_urls:
        raise TargetConfigError(f"no API URL per region found (looked for {API_URL_KEYS})")

    primary = stack.get("primary_region") or outputs.get("primary_region")
    primary = primary or next(iter(api_urls))
    if primary not in api_urls:
        raise TargetConfigError(f"primary region {primary!r} has no API URL in {api_urls}")
    secondary = outputs.get("secondary_region")
    if not secondary:
        others = [region for region in api_urls if region != primary]
        secondary = others[0] if others else None

    cognito = stack.get("cognito") or {}
    pool_id = cognito.get("user_pool_id") or _one_string(_first(outputs, USER_POOL_KEYS))
    client_id = cognito.get("client_id") or _one_string(
        _first(outputs, CLIENT_ID_KEYS), prefer=("mobile", "app", "default", "web")
    )
    if not pool_id or not client_id:
        raise TargetConfigError("the Cognito user pool id and app client id are required")
    # A pool id is "<region>_<suffix>": the region is its prefix.
    cognito_region = cognito.get("region") or pool_id.split("_", 1)[0]

    return Target(
        kind=kind,
        primary_region=str(primary),
        secondary_region=str(secondary) if secondary else None,
        api_urls=api_urls,
        user_pool_id=str(pool_id),
        cognito_region=str(cognito_region),
        client_id=str(client_id),
        aws_endpoint_url=aws_endpoint_url,
        partner_secret_arn=_one_string(
            _first(outputs, PARTNER_SECRET_KEYS), prefer=(str(primary),)
        ),
        partner_issuer=_one_string(_first(outputs, PARTNER_ISSUER_KEYS)),
        partner_audience=_one_string(_first(outputs, PARTNER_AUDIENCE_KEYS)),
        authorizer_function_name=_authorizer_name(outputs, str(primary)),
        table_name=_one_string(_first(outputs, TABLE_KEYS)),
        openapi_document=parse_openapi(_first(outputs, OPENAPI_KEYS)),
        outputs=dict(outputs),
        edge_url=_edge_url(stack, outputs),
        distribution_id=_one_string(_first(outputs, DISTRIBUTION_ID_KEYS)),
    )


def _edge_url(stack: Mapping[str, Any], outputs: Mapping[str, Any]) -> str | None:
    """The devstack's local edge (stack.json ``edge_url``), else the public URL outputs."""
    url = stack.get("edge_url") or _one_string(_first(outputs, EDGE_URL_KEYS))
    return str(url).rstrip("/") if url else None


def load_target(environ: Mapping[str, str] | None = None) -> Target:
    env = os.environ if environ is None else environ
    target = _load_target(env)
    override = env.get("E2E_API_URLS")
    if override:
        # {"region": "url"}: e.g. the CloudFront URL, since a deployed regional API only answers
        # requests that carry CloudFront's origin-verify header (see docs/testing-guide.md).
        urls = {region: url.rstrip("/") for region, url in json.loads(override).items()}
        target = dataclasses.replace(target, api_urls=urls)
    return target


def _load_target(env: Mapping[str, str]) -> Target:
    outputs_path = env.get("E2E_TERRAFORM_OUTPUTS")
    if outputs_path:
        raw = json.loads(Path(outputs_path).read_text(encoding="utf-8"))
        endpoint = env.get("E2E_AWS_ENDPOINT_URL")
        return build_target(
            raw, kind="devstack" if endpoint else "aws", aws_endpoint_url=endpoint or None
        )
    if env.get("E2E_TARGET", "").lower() == "aws":
        terraform_dir = env.get("E2E_TERRAFORM_DIR", str(REPO_ROOT / "infra"))
        completed = subprocess.run(  # noqa: S603 - fixed argv, no shell
            ["terraform", f"-chdir={terraform_dir}", "output", "-json"],  # noqa: S607
            check=True,
            capture_output=True,
            text=True,
        )
        return build_target(json.loads(completed.stdout), kind="aws")
    stack_path = Path(env.get("E2E_STACK_JSON", str(DEFAULT_STACK_JSON)))
    if not stack_path.is_file():
        raise TargetConfigError(
            f"{stack_path} does not exist: start the devstack with `make up`, or point the suite "
            "at a deployment with E2E_TERRAFORM_OUTPUTS=path or E2E_TARGET=aws"
        )
    stack = json.loads(stack_path.read_text(encoding="utf-8"))
    return build_target(
        stack.get("terraform_outputs") or {},
        kind="devstack",
        aws_endpoint_url=stack.get("aws_endpoint_url"),
        stack=stack,
    )


def read_origin_headers(target: Target) -> dict[str, str]:
    """Custom origin headers of the distribution's origin for the primary region's API."""
    import boto3  # noqa: PLC0415 - only the suites that call regions directly need it

    kwargs: dict[str, Any] = {"region_name": "us-east-1"}
    if target.aws_endpoint_url:
        kwargs.update(
            endpoint_url=target.aws_endpoint_url,
            aws_access_key_id="test",
            aws_secret_access_key="test",
        )
    cloudfront = boto3.client("cloudfront", **kwargs)
    ids = (
        [target.distribution_id]
        if target.distribution_id
        else [
            item["Id"]
            for item in cloudfront.list_distributions().get("DistributionList", {}).get("Items", [])
        ]
    )
    api_id = target.api_id(target.primary_region)
    fallback: dict[str, str] = {}
    for distribution_id in ids:
        config = cloudfront.get_distribution_config(Id=distribution_id)["DistributionConfig"]
        for origin in config.get("Origins", {}).get("Items", []):
            headers = {
                h["HeaderName"]: h["HeaderValue"]
                for h in origin.get("CustomHeaders", {}).get("Items", [])
            }
            if api_id and str(origin.get("DomainName", "")).startswith(f"{api_id}."):
                return headers
            fallback = fallback or headers
    return fallback
