"""Lambda settings moto 5.2.1 drops: ``KMSKeyArn``, ``LoggingConfig``, ``DeadLetterConfig``.

moto accepts them on CreateFunction / UpdateFunctionConfiguration but never returns them, so
Terraform plans ``kms_key_arn``, ``logging_config`` and ``dead_letter_config`` again after every
apply. A ``DeadLetterConfig`` with an empty ``TargetArn`` removes it, as on AWS (what the provider
sends when the block goes away). This filler keeps
what the caller sent and puts it into every answer that carries a function configuration
(Create, Get, GetConfiguration, UpdateConfiguration, List). ``LoggingConfig`` defaults to what
Lambda reports (``Text`` format, log group ``/aws/lambda/<name>``); the devstack's Lambda
runtime writes each function's logs to that log group.
"""

from __future__ import annotations

import re
import threading
from typing import Any
from urllib.parse import unquote

from devstack.fillers import Forward
from devstack.wsgi import AwsRequest, Response, json_response

_FUNCTIONS = re.compile(
    r"^/2015-03-31/functions/?(?:(?P<name>[^/]+)(?P<configuration>/configuration)?)?/?$"
)


def _function_name(reference: str) -> str:
    """Name from a name, partial ARN or ARN (``arn:aws:lambda:r:acct:function:name[:qual]``)."""
    reference = unquote(reference)
    parts = reference.split(":")
    if reference.startswith("arn:") and len(parts) >= 7:
        return parts[6]
    if len(parts) >= 3 and parts[1] == "function":  # account:function:name
        return parts[2]
    return parts[0]


class LambdaSettings:
    def __init__(self, account_id: str) -> None:
        self.account_id = account_id
        self._lock = threading.Lock()
        self._settings: dict[tuple[str, str], dict[str, Any]] = {}  # (region, name) -> settings

    def log_group(self, region: str, function_name: str) -> str:
        """The log group the function logs to (its LoggingConfig, else Lambda's default)."""
        with self._lock:
            settings = self._settings.get((region, function_name), {})
        logging_config = settings.get("LoggingConfig") or {}
        return str(logging_config.get("LogGroup") or f"/aws/lambda/{function_name}")

    def handle(self, request: AwsRequest, forward: Forward) -> Response | None:
        if request.service != "lambda" or not request.region:
            return None
        match = _FUNCTIONS.match(request.path)
        if match is None:
            return None
        region = request.region
        name = _function_name(match.group("name") or "")
        document = request.json()
        response = forward(request)
        if response.status >= 300:
            return response
        with self._lock:
            if request.method == "POST" and not match.group("name"):
                name = str(
                    document.get("FunctionName") and _function_name(document["FunctionName"])
                )
                self._settings[(region, name)] = {}
                self._remember(region, name, document)
            elif request.method == "PUT" and match.group("configuration"):
                self._remember(region, name, document)
            elif request.method == "DELETE" and match.group("name"):
                self._settings.pop((region, name), None)
                return response
            body = response.json()
            if "Functions" in body:
                for configuration in body["Functions"]:
                    self._decorate(region, configuration)
            elif "Configuration" in body:
                self._decorate(region, body["Configuration"])
            elif "FunctionName" in body:
                self._decorate(region, body)
        headers = [(k, v) for k, v in response.headers if k.lower() != "content-length"]
        return Response(response.status, headers, json_response(200, body).body)

    def _remember(self, region: str, name: str, document: dict[str, Any]) -> None:
        settings = self._settings.setdefault((region, name), {})
        if "KMSKeyArn" in document:
            settings["KMSKeyArn"] = document["KMSKeyArn"] or None
        if "LoggingConfig" in document:
            settings["LoggingConfig"] = dict(document["LoggingConfig"] or {})
        if "DeadLetterConfig" in document:
            target = (document["DeadLetterConfig"] or {}).get("TargetArn") or None
            settings["DeadLetterConfig"] = {"TargetArn": target} if target else None

    def _decorate(self, region: str, configuration: dict[str, Any]) -> None:
        name = str(configuration.get("FunctionName", ""))
        settings = self._settings.get((region, name), {})
        if settings.get("KMSKeyArn"):
            configuration["KMSKeyArn"] = settings["KMSKeyArn"]
        if settings.get("DeadLetterConfig"):
            configuration["DeadLetterConfig"] = dict(settings["DeadLetterConfig"])
        logging_config = {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{name}"}
        logging_config.update(settings.get("LoggingConfig") or {})
        configuration["LoggingConfig"] = logging_config
