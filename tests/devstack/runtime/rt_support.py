"""Helpers for the devstack runtime tests (a uniquely named module: other suites have a conftest).

Sample handler zips are built here; nothing in them is an application route or function.
"""

from __future__ import annotations

import base64
import hashlib
import io
import textwrap
import zipfile
from collections.abc import Callable

from devstack.runtime.contracts import FunctionSpec

ACCOUNT_ID = "123456789012"
REGION = "eu-west-1"

# Generic sample handlers: nothing here is an application route or function.
SAMPLE_HANDLERS = textwrap.dedent(
    '''
    import base64
    import json
    import os
    import sys
    import time

    CALLS = 0
    print("cold start of", __name__)


    def counter(event, context):
        global CALLS
        CALLS += 1
        return {"calls": CALLS, "pid": os.getpid()}


    def describe(event, context):
        return {
            "event": event,
            "function_name": context.function_name,
            "function_version": context.function_version,
            "invoked_function_arn": context.invoked_function_arn,
            "memory_limit_in_mb": context.memory_limit_in_mb,
            "aws_request_id": context.aws_request_id,
            "log_group_name": context.log_group_name,
            "log_stream_name": context.log_stream_name,
            "remaining_ms": context.get_remaining_time_in_millis(),
            "env": dict(os.environ),
            "cwd": os.getcwd(),
        }


    def fail(event, context):
        raise ValueError("the sample failed on purpose")


    def sleep(event, context):
        print("going to sleep")
        time.sleep(float(event.get("seconds", 30)))
        return "woke up"


    def noisy(event, context):
        print("line one")
        print("line two", file=sys.stderr)
        return None


    def no_final_newline(event, context):
        print("unterminated", end="")
        return "done"


    def exit_abruptly(event, context):
        os._exit(3)


    def not_serializable(event, context):
        return {"value": object()}


    def proxy_echo(event, context):
        """Answers a REST proxy request with the event it received."""
        return {
            "statusCode": int(event.get("queryStringParameters", None) and
                              event["queryStringParameters"].get("status") or 200),
            "headers": {"Content-Type": "application/json", "X-Sample": "yes"},
            "multiValueHeaders": {"Set-Cookie": ["a=1", "b=2"]},
            "body": json.dumps(event),
        }


    def proxy_binary(event, context):
        return {
            "statusCode": 200,
            "headers": {"Content-Type": "image/png"},
            "body": base64.b64encode(b"\\x89PNG-bytes").decode(),
            "isBase64Encoded": True,
        }


    def proxy_malformed(event, context):
        return {"statusCode": "two hundred", "body": {"not": "a string"}}


    def proxy_with_cookies(event, context):
        return {"statusCode": 200, "body": "", "cookies": ["a=1"]}


    def proxy_not_a_dict(event, context):
        return ["not", "a", "response"]


    def token_authorizer(event, context):
        """Token authorizer: 'allow-*' allows everything, 'deny' denies, 'get-only' allows GET."""
        token = event.get("authorizationToken") or event.get("headers", {}).get("X-Key", "")
        arn = event["methodArn"]
        api_arn = arn.split("/", 1)[0]
        if token.startswith("allow"):
            effect, resource = "Allow", api_arn + "/*"
        elif token == "deny":
            effect, resource = "Deny", arn
        elif token == "get-only":
            effect, resource = "Allow", api_arn + "/*/GET/*"
        elif token == "broken":
            return {"principalId": "x"}
        elif token == "crash":
            raise RuntimeError("authorizer crashed")
        else:
            raise Exception("Unauthorized")
        response = {
            "principalId": "user-" + token,
            "policyDocument": {
                "Version": "2012-10-17",
                "Statement": [
                    {"Action": "execute-api:Invoke", "Effect": effect, "Resource": [resource]}
                ],
            },
            "context": {"tier": "gold", "level": 3, "admin": False},
        }
        if token.startswith("allow-key-"):
            # 'allow-key-<name>' also names a usage plan key (API key source AUTHORIZER).
            response["usageIdentifierKey"] = "sample-usage-key-" + token[len("allow-key-"):]
        return response
    '''
)


def build_zip(files: dict[str, str | bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in sorted(files.items()):
            data = content.encode() if isinstance(content, str) else content
            archive.writestr(name, data)
    return buffer.getvalue()


def make_spec(
    code_zip: bytes,
    handler: str,
    *,
    name: str = "sample",
    timeout_seconds: int = 3,
    memory_mb: int = 256,
    environment: dict[str, str] | None = None,
    region: str = REGION,
) -> FunctionSpec:
    return FunctionSpec(
        function_name=name,
        function_arn=f"arn:aws:lambda:{region}:{ACCOUNT_ID}:function:{name}",
        region=region,
        handler=handler,
        runtime="python3.13",
        code_sha256=base64.b64encode(hashlib.sha256(code_zip).digest()).decode(),
        code_zip=code_zip,
        environment=environment or {"SAMPLE_SETTING": "on"},
        timeout_seconds=timeout_seconds,
        memory_mb=memory_mb,
        log_group_name=f"/aws/lambda/{name}",
    )


class RecordingLogSink:
    def __init__(self) -> None:
        self.records: list[tuple[str, list[str]]] = []

    def __call__(self, log_group: str, lines: list[str]) -> None:
        self.records.append((log_group, list(lines)))

    def lines(self, log_group: str) -> list[str]:
        return [line for group, lines in self.records if group == log_group for line in lines]


SpecFactory = Callable[..., FunctionSpec]
