"""The KMS filler: ReplicateKey keeps primary and replica configurations apart and correct."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

PRIMARY, SECONDARY = "us-east-1", "us-west-2"


def configuration(client: Any, key_id: str) -> dict[str, Any]:
    metadata: dict[str, Any] = client.describe_key(KeyId=key_id)["KeyMetadata"]
    return metadata["MultiRegionConfiguration"]


def test_replicate_key_reports_primary_and_replica(emulator: Any) -> None:
    east = emulator.client("kms", PRIMARY)
    west = emulator.client("kms", SECONDARY)
    primary = east.create_key(MultiRegion=True, Description="primary")["KeyMetadata"]
    replica = east.replicate_key(
        KeyId=primary["KeyId"],
        ReplicaRegion=SECONDARY,
        Description="replica",
        Tags=[{"TagKey": "team", "TagValue": "payments"}],
    )["ReplicaKeyMetadata"]
    assert replica["Arn"] == primary["Arn"].replace(PRIMARY, SECONDARY)
    # Describe the replica several times: the primary must stay PRIMARY (moto flips it).
    for _ in range(2):
        assert configuration(west, replica["KeyId"])["MultiRegionKeyType"] == "REPLICA"
    east_view = configuration(east, primary["KeyId"])
    west_view = configuration(west, primary["KeyId"])
    assert east_view["MultiRegionKeyType"] == "PRIMARY"
    assert east_view["PrimaryKey"] == {"Arn": primary["Arn"], "Region": PRIMARY}
    assert west_view["PrimaryKey"] == east_view["PrimaryKey"]
    assert east_view["ReplicaKeys"] == [{"Arn": replica["Arn"], "Region": SECONDARY}]
    assert west_view["ReplicaKeys"] == east_view["ReplicaKeys"]
    assert west.describe_key(KeyId=replica["Arn"])["KeyMetadata"]["Description"] == "replica"
    assert east.describe_key(KeyId=primary["Arn"])["KeyMetadata"]["Description"] == "primary"
    assert west.list_resource_tags(KeyId=replica["KeyId"])["Tags"] == [
        {"TagKey": "team", "TagValue": "payments"}
    ]


def test_replica_key_encrypts_in_its_region(emulator: Any) -> None:
    east = emulator.client("kms", PRIMARY)
    west = emulator.client("kms", SECONDARY)
    key_id = east.create_key(MultiRegion=True)["KeyMetadata"]["KeyId"]
    east.replicate_key(KeyId=key_id, ReplicaRegion=SECONDARY)
    encrypted = west.encrypt(KeyId=key_id, Plaintext=b"secret")
    assert encrypted["KeyId"].startswith(f"arn:aws:kms:{SECONDARY}:")


def test_scheduling_replica_deletion_drops_it_from_the_primary(emulator: Any) -> None:
    east = emulator.client("kms", PRIMARY)
    west = emulator.client("kms", SECONDARY)
    key_id = east.create_key(MultiRegion=True)["KeyMetadata"]["KeyId"]
    east.replicate_key(KeyId=key_id, ReplicaRegion=SECONDARY)
    west.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    assert configuration(east, key_id)["ReplicaKeys"] == []
    assert configuration(east, key_id)["MultiRegionKeyType"] == "PRIMARY"
    assert west.describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"] == "PendingDeletion"


def test_replicate_key_errors(emulator: Any) -> None:
    east = emulator.client("kms", PRIMARY)
    single = east.create_key()["KeyMetadata"]["KeyId"]
    with pytest.raises(ClientError) as not_multi_region:
        east.replicate_key(KeyId=single, ReplicaRegion=SECONDARY)
    assert not_multi_region.value.response["Error"]["Code"] == "UnsupportedOperationException"
    multi = east.create_key(MultiRegion=True)["KeyMetadata"]["KeyId"]
    east.replicate_key(KeyId=multi, ReplicaRegion=SECONDARY)
    with pytest.raises(ClientError) as twice:
        east.replicate_key(KeyId=multi, ReplicaRegion=SECONDARY)
    assert twice.value.response["Error"]["Code"] == "AlreadyExistsException"
    with pytest.raises(ClientError) as unknown:
        east.replicate_key(KeyId="mrk-00000000000000000000000000000000", ReplicaRegion=SECONDARY)
    assert unknown.value.response["Error"]["Code"] == "NotFoundException"
