"""Secrets Manager replicas keep the KMS key they were created with (moto 5.2.1 forgets it).

moto reports every replica with ``KmsKeyId: alias/aws/secretsmanager`` whatever the caller asked,
so Terraform's ``replica { kms_key_id }`` never settles. After CreateSecret (``AddReplicaRegions``)
or ReplicateSecretToRegions succeeds, this filler records each replica's requested key on moto's
replica object, which DescribeSecret then reports.
"""

from __future__ import annotations

from typing import Any

from moto.secretsmanager.models import secretsmanager_backends

from devstack.fillers import Forward
from devstack.wsgi import AwsRequest, Response


class SecretReplicaKeys:
    def __init__(self, account_id: str) -> None:
        self.account_id = account_id

    def handle(self, request: AwsRequest, forward: Forward) -> Response | None:
        if request.service != "secretsmanager" or not request.region:
            return None
        if request.target not in ("CreateSecret", "ReplicateSecretToRegions"):
            return None
        document = request.json()
        response = forward(request)
        if response.status != 200:
            return response
        wanted = {
            str(entry.get("Region")): entry.get("KmsKeyId")
            for entry in document.get("AddReplicaRegions") or []
            if entry.get("KmsKeyId")
        }
        secret_id = str(document.get("Name") or document.get("SecretId") or "")
        backend = secretsmanager_backends[self.account_id][request.region]
        secret: Any = backend.secrets.get(secret_id) if secret_id in backend.secrets else None
        for replica in getattr(secret, "replicas", None) or []:
            if replica.region in wanted:
                replica.config["KmsKeyId"] = wanted[replica.region]
        return response
