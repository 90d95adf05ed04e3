"""X-Ray sampling rules, groups, tags and encryption config (moto 5.2.1 only has traces: 404).

The operations are REST-JSON ``POST /<Operation>``. State is kept per region in memory; the
``Default`` sampling rule exists from the start, as in AWS.
"""

from __future__ import annotations

import copy
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from devstack.fillers import Forward
from devstack.wsgi import AwsRequest, Response, json_response

_RULE_DEFAULTS: dict[str, Any] = {
    "Attributes": {},
    "Host": "*",
    "HTTPMethod": "*",
    "ResourceARN": "*",
    "ServiceName": "*",
    "ServiceType": "*",
    "URLPath": "*",
    "Version": 1,
}


# Operations whose request URI is not their name.
_PATH_ALIASES = {"Groups": "GetGroups", "EncryptionConfig": "GetEncryptionConfig"}


def _error(message: str, status: int = 400) -> Response:
    response = json_response(status, {"message": message})
    response.headers.append(("x-amzn-ErrorType", "InvalidRequestException"))
    return response


@dataclass
class _RegionState:
    rules: dict[str, dict[str, Any]] = field(default_factory=dict)  # name -> record
    groups: dict[str, dict[str, Any]] = field(default_factory=dict)  # name -> group
    tags: dict[str, dict[str, str]] = field(default_factory=dict)  # arn -> tags
    encryption: dict[str, Any] = field(default_factory=lambda: {"Status": "ACTIVE", "Type": "NONE"})


class XRaySamplingAndGroups:
    def __init__(self, account_id: str) -> None:
        self.account_id = account_id
        self._regions: dict[str, _RegionState] = {}
        self._lock = threading.Lock()

    def handle(self, request: AwsRequest, forward: Forward) -> Response | None:
        if request.service != "xray" or not request.region or request.method != "POST":
            return None
        operation = request.path.strip("/")
        operation = _PATH_ALIASES.get(operation, operation)
        method = getattr(self, "_op_" + operation, None)
        if method is None:
            return None  # traces and telemetry: moto's part
        with self._lock:
            state = self._regions.get(request.region)
            if state is None:
                state = self._regions[request.region] = self._new_region(request.region)
            result: Response = method(request.region, state, request.json())
            return result

    # -- helpers ------------------------------------------------------------------------------
    def _arn(self, region: str, kind: str, name: str) -> str:
        return f"arn:aws:xray:{region}:{self.account_id}:{kind}/{name}"

    def _new_region(self, region: str) -> _RegionState:
        state = _RegionState()
        default = {
            **_RULE_DEFAULTS,
            "RuleName": "Default",
            "RuleARN": self._arn(region, "sampling-rule", "Default"),
            "Priority": 10000,
            "FixedRate": 0.05,
            "ReservoirSize": 1,
        }
        now = time.time()
        state.rules["Default"] = {"SamplingRule": default, "CreatedAt": now, "ModifiedAt": now}
        return state

    @staticmethod
    def _rule_name(document: dict[str, Any]) -> str:
        name = document.get("RuleName")
        if name:
            return str(name)
        return str(document.get("RuleARN", "")).rpartition("/")[2]

    @staticmethod
    def _group_name(document: dict[str, Any]) -> str:
        name = document.get("GroupName")
        if name:
            return str(name)
        # arn:aws:xray:region:account:group/<name>/<id>
        return str(document.get("GroupARN", "")).split(":group/")[-1].split("/")[0]

    def _tag(self, state: _RegionState, arn: str, tags: list[dict[str, str]]) -> None:
        state.tags.setdefault(arn, {}).update({tag["Key"]: tag["Value"] for tag in tags})

    # -- sampling rules -----------------------------------------------------------------------
    def _op_CreateSamplingRule(  # noqa: N802 - named after the API operation
        self, region: str, state: _RegionState, document: dict[str, Any]
    ) -> Response:
        rule = {**_RULE_DEFAULTS, **(document.get("SamplingRule") or {})}
        name = str(rule.get("RuleName", ""))
        if not name:
            return _error("RuleName is required")
        if name in state.rules:
            return _error(f"Sampling rule {name} already exists")
        rule["RuleARN"] = self._arn(region, "sampling-rule", name)
        now = time.time()
        record = {"SamplingRule": rule, "CreatedAt": now, "ModifiedAt": now}
        state.rules[name] = record
        self._tag(state, rule["RuleARN"], document.get("Tags") or [])
        return json_response(200, {"SamplingRuleRecord": record})

    def _op_GetSamplingRules(  # noqa: N802
        self, region: str, state: _RegionState, document: dict[str, Any]
    ) -> Response:
        return json_response(200, {"SamplingRuleRecords": list(state.rules.values())})

    def _op_UpdateSamplingRule(  # noqa: N802
        self, region: str, state: _RegionState, document: dict[str, Any]
    ) -> Response:
        update = document.get("SamplingRuleUpdate") or {}
        record = state.rules.get(self._rule_name(update))
        if record is None:
            return _error("Sampling rule not found")
        for key, value in update.items():
            if key not in ("RuleName", "RuleARN") and value is not None:
                record["SamplingRule"][key] = copy.deepcopy(value)
        record["ModifiedAt"] = time.time()
        return json_response(200, {"SamplingRuleRecord": record})

    def _op_DeleteSamplingRule(  # noqa: N802
        self, region: str, state: _RegionState, document: dict[str, Any]
    ) -> Response:
        name = self._rule_name(document)
        if name == "Default" or name not in state.rules:
            return _error(f"Sampling rule {name} cannot be deleted or does not exist")
        record = state.rules.pop(name)
        state.tags.pop(record["SamplingRule"]["RuleARN"], None)
        return json_response(200, {"SamplingRuleRecord": record})

    # -- groups -------------------------------------------------------------------------------
    def _op_CreateGroup(  # noqa: N802
        self, region: str, state: _RegionState, document: dict[str, Any]
    ) -> Response:
        name = str(document.get("GroupName", ""))
        if not name or name in state.groups or name == "Default":
            return _error(f"Group {name!r} is invalid or already exists")
        group_id = uuid.uuid4().hex[:26].upper()
        group = {
            "GroupName": name,
            "GroupARN": self._arn(region, "group", f"{name}/{group_id}"),
            "FilterExpression": document.get("FilterExpression", ""),
            "InsightsConfiguration": document.get("InsightsConfiguration")
            or {"InsightsEnabled": False, "NotificationsEnabled": False},
        }
        state.groups[name] = group
        self._tag(state, group["GroupARN"], document.get("Tags") or [])
        return json_response(200, {"Group": group})

    def _op_GetGroup(  # noqa: N802
        self, region: str, state: _RegionState, document: dict[str, Any]
    ) -> Response:
        group = state.groups.get(self._group_name(document))
        if group is None:
            return _error("Group not found")
        return json_response(200, {"Group": group})

    def _op_GetGroups(  # noqa: N802
        self, region: str, state: _RegionState, document: dict[str, Any]
    ) -> Response:
        return json_response(200, {"Groups": list(state.groups.values())})

    def _op_UpdateGroup(  # noqa: N802
        self, region: str, state: _RegionState, document: dict[str, Any]
    ) -> Response:
        group = state.groups.get(self._group_name(document))
        if group is None:
            return _error("Group not found")
        for key in ("FilterExpression", "InsightsConfiguration"):
            if document.get(key) is not None:
                group[key] = copy.deepcopy(document[key])
        return json_response(200, {"Group": group})

    def _op_DeleteGroup(  # noqa: N802
        self, region: str, state: _RegionState, document: dict[str, Any]
    ) -> Response:
        group = state.groups.pop(self._group_name(document), None)
        if group is None:
            return _error("Group not found")
        state.tags.pop(group["GroupARN"], None)
        return json_response(200, {})

    # -- tags and encryption ------------------------------------------------------------------
    def _known_arn(self, state: _RegionState, arn: str) -> bool:
        return any(r["SamplingRule"]["RuleARN"] == arn for r in state.rules.values()) or any(
            g["GroupARN"] == arn for g in state.groups.values()
        )

    def _op_TagResource(  # noqa: N802
        self, region: str, state: _RegionState, document: dict[str, Any]
    ) -> Response:
        arn = str(document.get("ResourceARN", ""))
        if not self._known_arn(state, arn):
            return _error(f"Resource {arn} not found", 404)
        self._tag(state, arn, document.get("Tags") or [])
        return json_response(200, {})

    def _op_UntagResource(  # noqa: N802
        self, region: str, state: _RegionState, document: dict[str, Any]
    ) -> Response:
        arn = str(document.get("ResourceARN", ""))
        if not self._known_arn(state, arn):
            return _error(f"Resource {arn} not found", 404)
        for key in document.get("TagKeys") or []:
            state.tags.get(arn, {}).pop(key, None)
        return json_response(200, {})

    def _op_ListTagsForResource(  # noqa: N802
        self, region: str, state: _RegionState, document: dict[str, Any]
    ) -> Response:
        arn = str(document.get("ResourceARN", ""))
        if not self._known_arn(state, arn):
            return _error(f"Resource {arn} not found", 404)
        tags = [{"Key": k, "Value": v} for k, v in sorted(state.tags.get(arn, {}).items())]
        return json_response(200, {"Tags": tags})

    def _op_PutEncryptionConfig(  # noqa: N802
        self, region: str, state: _RegionState, document: dict[str, Any]
    ) -> Response:
        state.encryption = {"Status": "ACTIVE", "Type": document.get("Type", "NONE")}
        if document.get("KeyId"):
            state.encryption["KeyId"] = document["KeyId"]
        return json_response(200, {"EncryptionConfig": state.encryption})

    def _op_GetEncryptionConfig(  # noqa: N802
        self, region: str, state: _RegionState, document: dict[str, Any]
    ) -> Response:
        return json_response(200, {"EncryptionConfig": state.encryption})
