"""One web ACL evaluated against one request: rules in priority order, then the default action.

https://docs.aws.amazon.com/waf/latest/developerguide/web-acl-processing-order.html: rules run in
ascending ``Priority``; Allow and Block terminate; Count records a match and goes on; when no rule
terminates, the default action applies. In a rule group, ``OverrideAction`` ``Count`` turns the
group's terminating action into a count, and a ``RuleActionOverrides`` entry (or the legacy
``ExcludedRules``, which means Count) replaces one rule's action:
https://docs.aws.amazon.com/waf/latest/developerguide/web-acl-rule-group-override-options.html
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from devstack.waf.managed import ManagedRuleGroups
from devstack.waf.rate import RateCounter
from devstack.waf.statements import Inspected, matches


@dataclass
class Decision:
    """What WAF did with a request (the fields of its log record)."""

    action: str  # ALLOW or BLOCK
    terminating_rule_id: str  # "Default_Action" when no rule terminated
    terminating_rule_type: str  # REGULAR, RATE_BASED, MANAGED_RULE_GROUP or GROUP
    block_response: Mapping[str, Any] | None = None  # the Block action's CustomResponse, if any
    non_terminating: list[dict[str, Any]] = field(default_factory=list)
    rule_groups: list[dict[str, Any]] = field(default_factory=list)
    rate_based: list[dict[str, Any]] = field(default_factory=list)


def _action_name(action: Mapping[str, Any] | None) -> str:
    for name in ("Allow", "Block", "Count", "Captcha", "Challenge"):
        if action and name in action:
            return name.upper()
    return "NONE"


class WebAclEvaluator:
    """Evaluates web ACLs (the WAFv2 API's JSON shape) with shared rate counters."""

    def __init__(self, rates: RateCounter, managed: ManagedRuleGroups) -> None:
        self._rates = rates
        self._managed = managed

    def evaluate(self, acl: Mapping[str, Any], request: Inspected, client_ip: str) -> Decision:
        rules = sorted(acl.get("Rules") or [], key=lambda r: int(r.get("Priority", 0)))
        decision = Decision("ALLOW", "Default_Action", "REGULAR")
        for rule in rules:
            name = str(rule["Name"])
            statement: Mapping[str, Any] = rule.get("Statement") or {}
            if "ManagedRuleGroupStatement" in statement:
                if self._managed_group(rule, statement, request, decision):
                    return decision
                continue
            kind = "REGULAR"
            if "RateBasedStatement" in statement:
                kind = "RATE_BASED"
                matched = self._rate_exceeded(acl, rule, request, client_ip, decision)
            else:
                matched = matches(statement, request)
            if not matched:
                continue
            action = rule.get("Action") or {}
            verb = _action_name(action)
            if verb == "COUNT":
                decision.non_terminating.append({"ruleId": name, "action": "COUNT"})
                continue
            if verb not in ("ALLOW", "BLOCK"):
                raise ValueError(f"rule {name}: action {verb} is not emulated")
            decision.action = verb
            decision.terminating_rule_id = name
            decision.terminating_rule_type = kind
            decision.block_response = (action.get("Block") or {}).get("CustomResponse")
            return decision
        default = acl.get("DefaultAction") or {"Allow": {}}
        decision.action = "BLOCK" if "Block" in default else "ALLOW"
        decision.block_response = (default.get("Block") or {}).get("CustomResponse")
        return decision

    def _rate_exceeded(
        self,
        acl: Mapping[str, Any],
        rule: Mapping[str, Any],
        request: Inspected,
        client_ip: str,
        decision: Decision,
    ) -> bool:
        inner = rule["Statement"]["RateBasedStatement"]
        if str(inner.get("AggregateKeyType", "IP")) != "IP":
            raise ValueError(f"rule {rule['Name']}: only IP aggregation is emulated")
        scope_down = inner.get("ScopeDownStatement")
        if scope_down and not matches(scope_down, request):
            return False
        window = int(inner.get("EvaluationWindowSec") or 300)
        count = self._rates.count((str(acl.get("ARN")), str(rule["Name"]), client_ip), window)
        exceeded = count > int(inner["Limit"])
        if exceeded:
            decision.rate_based.append(
                {"ruleId": rule["Name"], "limitKey": "IP", "maxRateAllowed": int(inner["Limit"])}
            )
        return exceeded

    def _managed_group(
        self,
        rule: Mapping[str, Any],
        statement: Mapping[str, Any],
        request: Inspected,
        decision: Decision,
    ) -> bool:
        """Evaluate a managed rule group; True when it terminated the request."""
        group = statement["ManagedRuleGroupStatement"]
        scope_down = group.get("ScopeDownStatement")
        if scope_down and not matches(scope_down, request):
            return False
        overrides = {
            str(o["Name"]): _action_name(o.get("ActionToUse"))
            for o in group.get("RuleActionOverrides") or []
        }
        overrides.update({str(e["Name"]): "COUNT" for e in group.get("ExcludedRules") or []})
        group_counts_only = "Count" in (rule.get("OverrideAction") or {})
        record: dict[str, Any] = {
            "ruleGroupId": f"AWS#{group['Name']}",
            "terminatingRule": None,
            "nonTerminatingMatchingRules": [],
            "excludedRules": None,
        }
        for matched in self._managed.matching_rules(str(group["Name"]), request):
            action = overrides.get(matched, "BLOCK")
            if action == "COUNT":
                record["nonTerminatingMatchingRules"].append({"ruleId": matched, "action": "COUNT"})
                continue
            record["terminatingRule"] = {"ruleId": matched, "action": action}
            decision.rule_groups.append(record)
            if group_counts_only:
                decision.non_terminating.append({"ruleId": rule["Name"], "action": "COUNT"})
                return False
            decision.action = action
            decision.terminating_rule_id = str(rule["Name"])
            decision.terminating_rule_type = "MANAGED_RULE_GROUP"
            return True
        if record["nonTerminatingMatchingRules"]:
            decision.rule_groups.append(record)
        return False
