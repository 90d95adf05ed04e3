"""The X-Ray filler: sampling rules, groups and their tags."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

RULE = {
    "ResourceARN": "*",
    "Priority": 100,
    "FixedRate": 0.1,
    "ReservoirSize": 2,
    "ServiceName": "*",
    "ServiceType": "*",
    "Host": "*",
    "HTTPMethod": "*",
    "URLPath": "*",
    "Version": 1,
}


def rules(client: Any) -> dict[str, dict[str, Any]]:
    records = client.get_sampling_rules()["SamplingRuleRecords"]
    return {r["SamplingRule"]["RuleName"]: r["SamplingRule"] for r in records}


def test_sampling_rule_lifecycle(emulator: Any, unique_name: Any) -> None:
    xray = emulator.client("xray", "us-west-2")
    name = unique_name("rule")[:32]
    created = xray.create_sampling_rule(
        SamplingRule={"RuleName": name, **RULE}, Tags=[{"Key": "env", "Value": "local"}]
    )["SamplingRuleRecord"]["SamplingRule"]
    assert created["RuleARN"] == f"arn:aws:xray:us-west-2:123456789012:sampling-rule/{name}"
    assert rules(xray)[name]["FixedRate"] == 0.1
    assert "Default" in rules(xray)
    xray.update_sampling_rule(SamplingRuleUpdate={"RuleName": name, "FixedRate": 0.5})
    assert rules(xray)[name]["FixedRate"] == 0.5
    assert rules(xray)[name]["ReservoirSize"] == 2
    assert xray.list_tags_for_resource(ResourceARN=created["RuleARN"])["Tags"] == [
        {"Key": "env", "Value": "local"}
    ]
    xray.tag_resource(ResourceARN=created["RuleARN"], Tags=[{"Key": "team", "Value": "a"}])
    xray.untag_resource(ResourceARN=created["RuleARN"], TagKeys=["env"])
    assert xray.list_tags_for_resource(ResourceARN=created["RuleARN"])["Tags"] == [
        {"Key": "team", "Value": "a"}
    ]
    xray.delete_sampling_rule(RuleARN=created["RuleARN"])
    assert name not in rules(xray)
    with pytest.raises(ClientError):
        xray.delete_sampling_rule(RuleName=name)


def test_duplicate_rule_is_refused(emulator: Any, unique_name: Any) -> None:
    xray = emulator.client("xray")
    name = unique_name("dup")[:32]
    xray.create_sampling_rule(SamplingRule={"RuleName": name, **RULE})
    with pytest.raises(ClientError) as duplicate:
        xray.create_sampling_rule(SamplingRule={"RuleName": name, **RULE})
    assert duplicate.value.response["Error"]["Code"] == "InvalidRequestException"


def test_group_lifecycle(emulator: Any, unique_name: Any) -> None:
    xray = emulator.client("xray")
    name = unique_name("group")[:32]
    group = xray.create_group(
        GroupName=name,
        FilterExpression='service("api")',
        InsightsConfiguration={"InsightsEnabled": True, "NotificationsEnabled": False},
        Tags=[{"Key": "k", "Value": "v"}],
    )["Group"]
    assert group["GroupARN"].startswith(f"arn:aws:xray:us-east-1:123456789012:group/{name}/")
    assert (
        xray.get_group(GroupARN=group["GroupARN"])["Group"]["FilterExpression"] == 'service("api")'
    )
    xray.update_group(GroupName=name, FilterExpression='service("other")')
    assert xray.get_group(GroupName=name)["Group"]["FilterExpression"] == 'service("other")'
    assert name in [g["GroupName"] for g in xray.get_groups()["Groups"]]
    assert xray.list_tags_for_resource(ResourceARN=group["GroupARN"])["Tags"] == [
        {"Key": "k", "Value": "v"}
    ]
    xray.delete_group(GroupName=name)
    with pytest.raises(ClientError):
        xray.get_group(GroupName=name)


def test_encryption_config(emulator: Any) -> None:
    xray = emulator.client("xray", "eu-west-1")
    assert xray.get_encryption_config()["EncryptionConfig"]["Type"] == "NONE"
    xray.put_encryption_config(Type="KMS", KeyId="alias/aws/xray")
    config = xray.get_encryption_config()["EncryptionConfig"]
    assert (config["Type"], config["KeyId"]) == ("KMS", "alias/aws/xray")


def test_traces_still_reach_moto(emulator: Any) -> None:
    xray = emulator.client("xray")
    assert xray.put_trace_segments(TraceSegmentDocuments=[])["UnprocessedTraceSegments"] == []
