"""KMS multi-region replica keys on top of moto 5.2.1.

moto's ``ReplicateKey`` shallow-copies the primary key, so primary and replica share one
``MultiRegionConfiguration`` dict; the next DescribeKey of the replica flips it to ``REPLICA``
and the primary then reports itself as a replica (Terraform's next plan fails). This filler
answers ``ReplicateKey`` itself, giving each key its own configuration (``PRIMARY`` on the primary,
``REPLICA`` on each replica, every one listing the same primary and replica set), applies the
request's policy, description and tags, and drops a replica from the set when it is scheduled for
deletion.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from moto.kms.models import Key, KmsBackend, kms_backends

from devstack.fillers import Forward
from devstack.wsgi import AwsRequest, Response, aws_json_error, json_response


class KmsMultiRegionKeys:
    def __init__(self, account_id: str) -> None:
        self.account_id = account_id

    def backend(self, region: str) -> KmsBackend:
        backend: KmsBackend = kms_backends[self.account_id][region]
        return backend

    def handle(self, request: AwsRequest, forward: Forward) -> Response | None:
        if request.service != "kms" or not request.region:
            return None
        if request.target == "ReplicateKey":
            return self._replicate_key(request.region, request.json())
        if request.target == "ScheduleKeyDeletion":
            response = forward(request)
            if response.status == 200:
                self._drop_replica(request.region, str(request.json().get("KeyId", "")))
            return response
        return None

    def _replicate_key(self, region: str, document: dict[str, Any]) -> Response:
        source_backend = self.backend(region)
        try:
            key_id = source_backend.any_id_to_key_id(str(document.get("KeyId", "")))
            primary = source_backend.keys[key_id]
        except Exception:  # moto raises KeyError/AttributeError/its own types for unknown ids
            return aws_json_error(
                400, "NotFoundException", f"Key '{document.get('KeyId')}' does not exist"
            )
        replica_region = str(document.get("ReplicaRegion", ""))
        if not primary.multi_region:
            return aws_json_error(
                400, "UnsupportedOperationException", f"{primary.arn} is not a multi-Region key"
            )
        if primary.multi_region_configuration["MultiRegionKeyType"] != "PRIMARY":
            return aws_json_error(
                400, "UnsupportedOperationException", f"{primary.arn} is not a primary key"
            )
        if replica_region == region or key_id in self.backend(replica_region).keys:
            return aws_json_error(
                400,
                "AlreadyExistsException",
                f"{primary.arn} already has a key in {replica_region}",
            )
        replica = copy.copy(primary)
        replica.region = replica_region
        replica.arn = primary.arn.replace(f":kms:{region}:", f":kms:{replica_region}:")
        replica.grants = {}
        replica.aliases = {}
        replica.rotations = []
        replica.key_rotation_status = False
        if document.get("Description") is not None:
            replica.description = str(document["Description"])
        if document.get("Policy"):
            replica.policy = str(document["Policy"])
        replica.multi_region_configuration = {}
        target_backend = self.backend(replica_region)
        target_backend.keys[key_id] = replica
        tags = document.get("Tags") or []
        if tags:
            target_backend.tag_resource(key_id, tags)
        primary.multi_region_configuration["ReplicaKeys"].append(
            {"Arn": replica.arn, "Region": replica_region}
        )
        self._sync_configurations(primary)
        return json_response(
            200,
            {
                "ReplicaKeyMetadata": replica.to_dict()["KeyMetadata"],
                "ReplicaPolicy": replica.policy,
                "ReplicaTags": tags,
            },
            content_type="application/x-amz-json-1.1",
        )

    def _sync_configurations(self, primary: Key) -> None:
        """Give every replica its own copy of the primary's view of the group."""
        replicas = primary.multi_region_configuration["ReplicaKeys"]
        for entry in replicas:
            key = self.backend(entry["Region"]).keys.get(primary.id)
            if key is None:
                continue
            key.multi_region_configuration = {
                "MultiRegionKeyType": "REPLICA",
                "PrimaryKey": dict(primary.multi_region_configuration["PrimaryKey"]),
                "ReplicaKeys": [dict(replica) for replica in replicas],
            }

    def _drop_replica(self, region: str, key_ref: str) -> None:
        backend = self.backend(region)
        try:
            key = backend.keys[backend.any_id_to_key_id(key_ref)]
        except Exception:  # unknown id: moto already answered the caller
            return
        if (
            not key.multi_region
            or key.multi_region_configuration["MultiRegionKeyType"] != "REPLICA"
        ):
            return
        primary_region = key.multi_region_configuration["PrimaryKey"]["Region"]
        primary = self.backend(primary_region).keys.get(key.id)
        if primary is None:
            return
        primary.multi_region_configuration["ReplicaKeys"] = [
            entry
            for entry in primary.multi_region_configuration["ReplicaKeys"]
            if entry["Region"] != region
        ]
        self._sync_configurations(primary)
        # The key pending deletion keeps describing itself as a replica of the primary.
        key.multi_region_configuration = {
            "MultiRegionKeyType": "REPLICA",
            "PrimaryKey": dict(primary.multi_region_configuration["PrimaryKey"]),
            "ReplicaKeys": json.loads(
                json.dumps(primary.multi_region_configuration["ReplicaKeys"])
            ),
        }
