"""The Lambda settings filler (KMSKeyArn, LoggingConfig) and the Secrets Manager replica keys."""

from __future__ import annotations

import io
import zipfile
from typing import Any


def tiny_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", "def handler(event, context):\n    return event\n")
    return buffer.getvalue()


def create_function(emulator: Any, name: str, **extra: Any) -> dict[str, Any]:
    iam = emulator.client("iam")
    role = iam.create_role(RoleName=name, AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    lambda_client = emulator.client("lambda", "us-west-2")
    result: dict[str, Any] = lambda_client.create_function(
        FunctionName=name,
        Runtime="python3.13",
        Role=role,
        Handler="app.handler",
        Code={"ZipFile": tiny_zip()},
        **extra,
    )
    return result


def test_kms_key_and_logging_config_round_trip(emulator: Any, unique_name: Any) -> None:
    name = unique_name("fn")[:60]
    key_arn = emulator.client("kms", "us-west-2").create_key()["KeyMetadata"]["Arn"]
    created = create_function(
        emulator,
        name,
        KMSKeyArn=key_arn,
        LoggingConfig={"LogFormat": "Text", "LogGroup": "/custom/group"},
    )
    assert created["KMSKeyArn"] == key_arn
    lambda_client = emulator.client("lambda", "us-west-2")
    configuration = lambda_client.get_function(FunctionName=name)["Configuration"]
    assert configuration["KMSKeyArn"] == key_arn
    assert configuration["LoggingConfig"] == {"LogFormat": "Text", "LogGroup": "/custom/group"}
    assert emulator.app.backend.function_spec("us-west-2", name, None).log_group_name == (
        "/custom/group"
    )
    lambda_client.update_function_configuration(
        FunctionName=name, LoggingConfig={"LogFormat": "Text", "LogGroup": "/other"}
    )
    by_arn = lambda_client.get_function_configuration(FunctionName=created["FunctionArn"])
    assert by_arn["LoggingConfig"]["LogGroup"] == "/other"
    listed = {f["FunctionName"]: f for f in lambda_client.list_functions()["Functions"]}
    assert listed[name]["KMSKeyArn"] == key_arn


def test_default_logging_config_is_reported(emulator: Any, unique_name: Any) -> None:
    name = unique_name("plain")[:60]
    create_function(emulator, name)
    configuration = emulator.client("lambda", "us-west-2").get_function_configuration(
        FunctionName=name
    )
    assert configuration["LoggingConfig"] == {
        "LogFormat": "Text",
        "LogGroup": f"/aws/lambda/{name}",
    }
    assert "KMSKeyArn" not in configuration


def test_secret_replica_reports_its_kms_key(emulator: Any, unique_name: Any) -> None:
    west_key = emulator.client("kms", "us-west-2").create_key()["KeyMetadata"]["Arn"]
    secrets = emulator.client("secretsmanager", "us-east-1")
    name = unique_name("secret")
    secrets.create_secret(
        Name=name,
        SecretString="{}",
        AddReplicaRegions=[{"Region": "us-west-2", "KmsKeyId": west_key}],
    )
    status = secrets.describe_secret(SecretId=name)["ReplicationStatus"]
    assert [(s["Region"], s["KmsKeyId"]) for s in status] == [("us-west-2", west_key)]


def test_dead_letter_config_round_trip(emulator: Any, unique_name: Any) -> None:
    """moto 5.2.1 drops DeadLetterConfig: Terraform would plan dead_letter_config every time."""
    name = unique_name("dlq")[:60]
    queue_arn = "arn:aws:sqs:us-west-2:123456789012:some-dead-letter-queue"
    created = create_function(emulator, name, DeadLetterConfig={"TargetArn": queue_arn})
    assert created["DeadLetterConfig"] == {"TargetArn": queue_arn}
    lambda_client = emulator.client("lambda", "us-west-2")
    configuration = lambda_client.get_function(FunctionName=name)["Configuration"]
    assert configuration["DeadLetterConfig"] == {"TargetArn": queue_arn}
    # AWS removes it with an empty TargetArn (what the provider sends when the block goes away).
    lambda_client.update_function_configuration(
        FunctionName=name, DeadLetterConfig={"TargetArn": ""}
    )
    assert "DeadLetterConfig" not in lambda_client.get_function_configuration(FunctionName=name)
