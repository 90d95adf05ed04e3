"""Where the local edge gets its configuration and its origins from, in the devstack process.

* ``ApiConfigSource``: the CloudFront API (List/GetDistributionConfig, Get*PolicyConfig) answered
  in-process by the emulator (moto's CloudFront backend behind our filler, which keeps the policies
  incl. the AWS managed ones). Parsed documents are kept until a CloudFront write
  (``invalidate``), so a request does not re-read the configuration.
* ``StageOriginFetcher``: origins on ``{api_id}.execute-api.{region}.amazonaws.com`` are served by
  ``DevstackApp.serve_stage`` in-process (so the REGIONAL web ACL applies, as on AWS). The first
  path segment is the stage, as on the execute-api endpoint. Other origins answer CloudFront's 502.
"""

from __future__ import annotations

import io
import logging
import re
import threading
import xml.etree.ElementTree as ET
from collections.abc import Callable
from typing import Any, TypeVar

from devstack.edge.config import (
    CachePolicy,
    Distribution,
    Origin,
    OriginRequestPolicy,
    ResponseHeadersPolicy,
    parse_cache_policy,
    parse_distribution_config,
    parse_origin_request_policy,
    parse_response_headers_policy,
)
from devstack.edge.server import OriginRequest, cloudfront_error_page
from devstack.runtime.contracts import HttpRequest
from devstack.wsgi import AwsRequest, Response, read_request

LOGGER = logging.getLogger("devstack.edge")
_T = TypeVar("_T")
ApiCall = Callable[[AwsRequest], Response]
ServeStage = Callable[[str, str, HttpRequest], Response]
_API = "/2020-05-31"
_EXECUTE_API = re.compile(
    r"^(?P<api>[a-z0-9]+)\.execute-api\.(?P<region>[a-z0-9-]+)\.amazonaws\.com$"
)


def cloudfront_api_request(method: str, path: str) -> AwsRequest:
    """A signed-looking CloudFront API request for the in-process emulator."""
    environ: dict[str, Any] = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "cloudfront.amazonaws.com",
        "SERVER_PORT": "443",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "cloudfront.amazonaws.com",
        "HTTP_AUTHORIZATION": (
            "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/cloudfront/aws4_request, "
            "SignedHeaders=host, Signature=0"
        ),
        "wsgi.url_scheme": "https",
        "wsgi.input": io.BytesIO(b""),
        "CONTENT_LENGTH": "0",
    }
    return read_request(environ)


class ApiConfigSource:
    def __init__(self, call: ApiCall) -> None:
        self._call = call
        self._lock = threading.Lock()
        self._distributions: list[Distribution] | None = None
        self._policies: dict[tuple[str, str], Any] = {}

    def invalidate(self) -> None:
        with self._lock:
            self._distributions = None
            self._policies.clear()

    def _get(self, path: str) -> bytes | None:
        response = self._call(cloudfront_api_request("GET", f"{_API}{path}"))
        if response.status != 200:
            return None
        return response.body

    def distributions(self) -> list[Distribution]:
        with self._lock:
            if self._distributions is not None:
                return self._distributions
        listing = self._get("/distribution")
        found: list[Distribution] = []
        if listing:
            root = ET.fromstring(listing)  # noqa: S314 - our emulator's answer
            for summary in root.iterfind(".//{*}DistributionSummary"):
                distribution_id = summary.findtext("{*}Id") or ""
                domain = summary.findtext("{*}DomainName") or ""
                config = self._get(f"/distribution/{distribution_id}/config")
                if config is None:
                    continue
                try:
                    found.append(parse_distribution_config(distribution_id, domain, config))
                except (ValueError, ET.ParseError) as error:
                    LOGGER.warning("edge: distribution %s not served: %s", distribution_id, error)
        with self._lock:
            self._distributions = found
        return found

    def _policy(self, kind: str, policy_id: str, parse: Callable[[bytes], _T]) -> _T | None:
        key = (kind, policy_id)
        with self._lock:
            if key in self._policies:
                cached: _T | None = self._policies[key]
                return cached
        body = self._get(f"/{kind}/{policy_id}/config")
        parsed = parse(body) if body else None
        with self._lock:
            self._policies[key] = parsed
        return parsed

    def cache_policy(self, policy_id: str) -> CachePolicy | None:
        return self._policy("cache-policy", policy_id, parse_cache_policy)

    def origin_request_policy(self, policy_id: str) -> OriginRequestPolicy | None:
        return self._policy("origin-request-policy", policy_id, parse_origin_request_policy)

    def response_headers_policy(self, policy_id: str) -> ResponseHeadersPolicy | None:
        return self._policy("response-headers-policy", policy_id, parse_response_headers_policy)


class StageOriginFetcher:
    def __init__(self, serve_stage: ServeStage) -> None:
        self._serve_stage = serve_stage

    def fetch(self, origin: Origin, request: OriginRequest) -> Response:
        match = _EXECUTE_API.match(origin.domain_name)
        if match is None:
            return cloudfront_error_page(
                502,
                "Bad gateway.",
                f"The devstack edge reaches execute-api origins only, not {origin.domain_name}.",
                "devstack",
            )
        host = next((v for k, v in request.headers if k.lower() == "host"), origin.domain_name)
        if host.split(":")[0].lower() != origin.domain_name.lower():
            # API Gateway routes on its own host name: a viewer Host forwarded to an execute-api
            # origin gets 403 (why AllViewerExceptHostHeader exists:
            # https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/using-managed-origin-request-policies.html#managed-origin-request-policy-all-viewer-except-host-header).
            return Response(
                403,
                [("Content-Type", "application/json"), ("x-amzn-ErrorType", "ForbiddenException")],
                b'{"message":"Forbidden"}',
            )
        stage, _, rest = request.path.lstrip("/").partition("/")
        if not stage:
            return Response(
                403,
                [
                    ("Content-Type", "application/json"),
                    ("x-amzn-ErrorType", "MissingAuthenticationTokenException"),
                ],
                b'{"message":"Missing Authentication Token"}',
            )
        return self._serve_stage(
            match.group("api"),
            stage,
            HttpRequest(
                method=request.method,
                path="/" + rest,
                query=list(request.query),
                headers=list(request.headers),
                body=request.body,
                source_ip=request.client_ip,
            ),
        )
