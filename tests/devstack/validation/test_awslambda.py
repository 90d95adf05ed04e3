"""Lambda's environment rules (devstack.validation.awslambda), sent through boto3 to the emulator.

AWS refuses reserved keys and more than 4 KB of variables with InvalidParameterValueException
(https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime,
https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html); moto stores both.
"""

from __future__ import annotations

import io
import json
import uuid
import zipfile
from typing import Any

import pytest
from botocore.exceptions import ClientError

UNABLE = "Lambda was unable to configure your environment variables because the environment "


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("handler.py", "def handler(event, context):\n    return event\n")
    return buffer.getvalue()


TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "lambda.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
)


@pytest.fixture(scope="module")
def role_arn(emulator: Any) -> str:
    iam = emulator.client("iam")
    role = iam.create_role(
        RoleName=f"validation-{uuid.uuid4().hex[:8]}", AssumeRolePolicyDocument=TRUST
    )
    return str(role["Role"]["Arn"])


def _create(
    emulator: Any, variables: dict[str, str], role: str = "arn:aws:iam::123456789012:role/none"
) -> Any:
    return emulator.client("lambda").create_function(
        FunctionName=f"validation-{uuid.uuid4().hex[:8]}",
        Runtime="python3.13",
        Role=role,
        Handler="handler.handler",
        Code={"ZipFile": _zip()},
        Environment={"Variables": variables},
    )


@pytest.mark.parametrize("key", ["AWS_REGION", "AWS_DEFAULT_REGION", "AWS_SESSION_TOKEN"])
def test_a_reserved_key_is_refused_on_create(emulator: Any, key: str) -> None:
    with pytest.raises(ClientError) as refused:
        _create(emulator, {"WRITE_REGION": "us-east-1", key: "us-west-2"})
    error = refused.value.response["Error"]
    assert error["Code"] == "InvalidParameterValueException"
    assert error["Message"] == (
        UNABLE + "variables you have provided contains reserved keys that are currently not "
        f"supported for modification. Reserved keys used in this request: {key}"
    )
    assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_a_reserved_key_is_refused_on_update(emulator: Any) -> None:
    # What a failover apply (or a test driving one) sends: UpdateFunctionConfiguration.
    with pytest.raises(ClientError) as refused:
        emulator.client("lambda").update_function_configuration(
            FunctionName="any", Environment={"Variables": {"AWS_REGION": "us-west-2"}}
        )
    assert refused.value.response["Error"]["Code"] == "InvalidParameterValueException"
    assert "Reserved keys used in this request: AWS_REGION" in str(refused.value)


def test_more_than_4_kb_of_variables_is_refused(emulator: Any) -> None:
    variables = {f"SETTING_{n}": "x" * 100 for n in range(40)}  # ~4.6 KB as JSON
    with pytest.raises(ClientError) as refused:
        _create(emulator, variables)
    error = refused.value.response["Error"]
    assert error["Code"] == "InvalidParameterValueException"
    measured = json.dumps(variables, separators=(",", ":"))
    assert error["Message"] == (
        UNABLE + f"variables you have provided exceeded the 4KB limit. String measured: {measured}"
    )


def test_exactly_4_kb_is_accepted(emulator: Any) -> None:
    # {"A":"xxx…"} is 8 bytes of JSON around the value: 4088 + 8 = 4096.
    variables = {"A": "x" * 4088}
    assert len(json.dumps(variables, separators=(",", ":"))) == 4096
    with pytest.raises(ClientError) as passed_on:
        emulator.client("lambda").update_function_configuration(
            FunctionName="validation-missing", Environment={"Variables": variables}
        )
    # Past validation, moto answers for the function that does not exist.
    assert passed_on.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_ordinary_variables_reach_moto(emulator: Any, role_arn: str) -> None:
    created = _create(emulator, {"WRITE_REGION": "us-east-1", "LOG_LEVEL": "INFO"}, role_arn)
    assert created["Environment"]["Variables"]["WRITE_REGION"] == "us-east-1"
