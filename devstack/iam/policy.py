"""IAM policy documents and their evaluation, as AWS documents it (pure: no moto, no I/O).

Why our own and not a library: no maintained Python package on PyPI evaluates IAM policies
(``parliament`` and ``iam-policy-validator`` lint documents, ``cloudsplaining`` and
``policyuniverse`` analyse or expand them, ``iamspy`` is an unmaintained 0.0.1). moto 5.2.1's
``moto.iam.access_control`` (behind ``INITIAL_NO_AUTH_ACTION_COUNT``) is moto's internal code, not
a public API, and unsound for this use (its own docstring lists Resource and Condition support as
TODO): a failed condition on an *Allow* statement counts as an explicit deny, patterns are
turned into regular expressions unescaped (a ``.`` in an ARN matches any character, ``?`` is not a
wildcard) and actions match case-sensitively. The subset here is small and each rule has its source:

* Decision: an explicit Deny in any policy wins; otherwise an Allow from an identity-based policy or
  (same account) the resource-based policy allows; otherwise the request is implicitly denied
  (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html).
* ``Action`` / ``NotAction``: case-insensitive, ``*`` and ``?`` wildcards
  (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html).
* ``Resource`` / ``NotResource``: case-sensitive; ``*`` and ``?`` inside an ARN segment, a ``*``
  that ends a segment may match across the colons after it
  (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html).
* ``Condition``: operators AND-ed, keys AND-ed, values OR-ed (NOR for negated operators); condition
  key names are case-insensitive; a key absent from the request context makes a condition false,
  except for negated operators (true), ``...IfExists`` (true) and ``Null``
  (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html,
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_multi-value-conditions.html).
  Operators supported: String*, Arn*, Bool, Null (with ``IfExists``). Any other operator makes its
  statement not apply (an Allow then grants nothing, a Deny denies nothing) and is logged: the
  stack uses none of them.
* ``Principal`` (resource-based policies only): ``"*"``, ``{"AWS": ...}`` (account id, ``:root``
  or a principal ARN), ``{"Service": ...}``.

Policy variables (``${aws:username}``) are not substituted: the stack uses none.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from functools import lru_cache
from typing import Any

LOGGER = logging.getLogger("devstack.iam")


class Decision(Enum):
    ALLOW = "Allow"
    EXPLICIT_DENY = "ExplicitDeny"
    IMPLICIT_DENY = "ImplicitDeny"


@dataclass(frozen=True)
class Principal:
    """Who makes the request: an assumed-role session or an AWS service."""

    arn: str = ""  # arn:aws:sts::<acct>:assumed-role/<role>/<session>, or "" for a service
    account: str = ""
    role_arn: str = ""  # arn:aws:iam::<acct>:role/<name> for an assumed role
    service: str = ""  # e.g. "apigateway.amazonaws.com"


@dataclass(frozen=True)
class AuthzRequest:
    """One (action, resource) the request needs, with its request context keys."""

    action: str  # "dynamodb:GetItem"
    resource: str  # an ARN, or "*" for actions without resource-level permissions
    principal: Principal
    context: Mapping[str, Sequence[str]] = field(default_factory=dict)

    def context_value(self, key: str) -> list[str] | None:
        lowered = key.lower()
        for name, values in self.context.items():
            if name.lower() == lowered:
                return list(values)
        return None


@lru_cache(maxsize=4096)
def _action_pattern(pattern: str) -> re.Pattern[str]:
    parts = (".*" if ch == "*" else "." if ch == "?" else re.escape(ch) for ch in pattern)
    return re.compile("".join(parts), re.IGNORECASE | re.DOTALL)


@lru_cache(maxsize=4096)
def _arn_pattern(pattern: str) -> re.Pattern[str]:
    """``*`` stays inside its ARN segment unless it ends the segment; ``?`` is one character."""
    out: list[str] = []
    for index, ch in enumerate(pattern):
        if ch == "*":
            ends_segment = index + 1 == len(pattern) or pattern[index + 1] == ":"
            out.append(".*" if ends_segment else "[^:]*")
        elif ch == "?":
            out.append("[^:]")
        else:
            out.append(re.escape(ch))
    return re.compile("".join(out), re.DOTALL)


def action_matches(pattern: str, action: str) -> bool:
    return _action_pattern(pattern).fullmatch(action) is not None


def arn_matches(pattern: str, arn: str) -> bool:
    if pattern == "*":
        return True
    return _arn_pattern(pattern).fullmatch(arn) is not None


def _as_list(value: object) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _string_like(pattern: str, value: str) -> bool:
    parts = (".*" if ch == "*" else "." if ch == "?" else re.escape(ch) for ch in pattern)
    return re.fullmatch("".join(parts), value, re.DOTALL) is not None


_MATCHERS: dict[str, Callable[[str, str], bool]] = {
    "StringEquals": lambda expected, actual: expected == actual,
    "StringEqualsIgnoreCase": lambda expected, actual: expected.lower() == actual.lower(),
    "StringLike": _string_like,
    "ArnEquals": lambda expected, actual: expected == actual,
    "ArnLike": arn_matches,
    "Bool": lambda expected, actual: expected.lower() == actual.lower(),
}
_NEGATED = {
    "StringNotEquals": "StringEquals",
    "StringNotEqualsIgnoreCase": "StringEqualsIgnoreCase",
    "StringNotLike": "StringLike",
    "ArnNotEquals": "ArnEquals",
    "ArnNotLike": "ArnLike",
}


class UnsupportedConditionError(ValueError):
    """A condition operator this evaluator does not model."""


def _condition_holds(operator: str, key: str, expected: list[str], request: AuthzRequest) -> bool:
    if operator.startswith(("ForAnyValue:", "ForAllValues:")):
        raise UnsupportedConditionError(operator)
    if_exists = operator.endswith("IfExists")
    base = operator.removesuffix("IfExists")
    actual = request.context_value(key)
    if base == "Null":
        wants_absent = any(value.lower() == "true" for value in expected)
        return (actual is None) == wants_absent
    negated_of = _NEGATED.get(base)
    matcher = _MATCHERS.get(negated_of or base)
    if matcher is None:
        raise UnsupportedConditionError(operator)
    if actual is None:
        return if_exists or negated_of is not None
    matched = any(matcher(want, have) for want in expected for have in actual)
    return not matched if negated_of else matched


def conditions_hold(condition: Mapping[str, Any], request: AuthzRequest) -> bool:
    for operator, keys in condition.items():
        if not isinstance(keys, Mapping):
            raise UnsupportedConditionError(operator)
        for key, values in keys.items():
            expected = [
                str(value).lower() if isinstance(value, bool) else str(value)
                for value in _as_list(values)
            ]
            if not _condition_holds(str(operator), str(key), expected, request):
                return False
    return True


def _principal_matches(principal: object, who: Principal) -> str | None:
    """ "direct" when the statement names this principal (or "*"), "account" when it names only
    the principal's account (a resource policy naming an account delegates to that account's
    identity policies: it grants nothing by itself), None otherwise
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html)."""
    if principal == "*":
        return "direct"
    if not isinstance(principal, Mapping):
        return None
    for kind, values in principal.items():
        for value in _as_list(values):
            text = str(value)
            if kind == "Service" and who.service and text == who.service:
                return "direct"
            if kind == "AWS" and not who.service:
                if text == "*" or text in (who.arn, who.role_arn):
                    return "direct"
                if who.account and text in (who.account, f"arn:aws:iam::{who.account}:root"):
                    return "account"
    return None


@dataclass(frozen=True)
class Statement:
    sid: str
    effect: str  # "Allow" / "Deny"
    actions: tuple[str, ...]
    not_actions: tuple[str, ...]
    resources: tuple[str, ...]
    not_resources: tuple[str, ...]
    condition: Mapping[str, Any]
    principal: object = None  # resource-based policies only

    @classmethod
    def parse(cls, raw: Mapping[str, Any]) -> Statement:
        return cls(
            sid=str(raw.get("Sid", "")),
            effect=str(raw.get("Effect", "")),
            actions=tuple(str(a) for a in _as_list(raw.get("Action"))),
            not_actions=tuple(str(a) for a in _as_list(raw.get("NotAction"))),
            resources=tuple(str(r) for r in _as_list(raw.get("Resource"))),
            not_resources=tuple(str(r) for r in _as_list(raw.get("NotResource"))),
            condition=raw.get("Condition") or {},
            principal=raw.get("Principal"),
        )

    def applies(  # noqa: PLR0911 - one return per element that rules the statement out
        self, request: AuthzRequest, resource_based: bool = False
    ) -> bool:
        if resource_based and _principal_matches(self.principal, request.principal) is None:
            return False
        if self.actions:
            if not any(action_matches(p, request.action) for p in self.actions):
                return False
        elif not self.not_actions or any(
            action_matches(p, request.action) for p in self.not_actions
        ):
            return False
        # A resource-based policy's statement may omit Resource: it is the resource itself.
        if self.resources:
            if not any(arn_matches(p, request.resource) for p in self.resources):
                return False
        elif self.not_resources:
            if any(arn_matches(p, request.resource) for p in self.not_resources):
                return False
        elif not resource_based:
            return False
        try:
            return conditions_hold(self.condition, request)
        except UnsupportedConditionError as error:
            LOGGER.warning(
                "IAM statement %r: condition operator %s is not modelled by the devstack; "
                "the statement does not apply",
                self.sid,
                error,
            )
            return False


@dataclass(frozen=True)
class Policy:
    name: str
    statements: tuple[Statement, ...]

    @classmethod
    def parse(cls, name: str, document: str | Mapping[str, Any]) -> Policy:
        raw = json.loads(document) if isinstance(document, str) else document
        statements = [Statement.parse(s) for s in _as_list(raw.get("Statement"))]
        return cls(name, tuple(statements))


def evaluate(
    request: AuthzRequest,
    identity_policies: Sequence[Policy],
    resource_policy: Policy | None = None,
) -> Decision:
    """AWS's decision for one (action, resource) within one account."""
    allowed = False
    for policy in identity_policies:
        for statement in policy.statements:
            if statement.applies(request):
                if statement.effect == "Deny":
                    return Decision.EXPLICIT_DENY
                allowed = allowed or statement.effect == "Allow"
    if resource_policy is not None:
        for statement in resource_policy.statements:
            if statement.applies(request, resource_based=True):
                if statement.effect == "Deny":
                    return Decision.EXPLICIT_DENY
                delegated = _principal_matches(statement.principal, request.principal) == "account"
                allowed = allowed or (statement.effect == "Allow" and not delegated)
    return Decision.ALLOW if allowed else Decision.IMPLICIT_DENY


def denial_message(request: AuthzRequest, decision: Decision) -> str:
    """AWS's AccessDenied message for a role session
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html)."""
    who = request.principal.arn or request.principal.service
    head = (
        f"User: {who} is not authorized to perform: {request.action} "
        f"on resource: {request.resource}"
    )
    if decision is Decision.EXPLICIT_DENY:
        return f"{head} with an explicit deny in an identity-based policy"
    return f"{head} because no identity-based policy allows the {request.action} action"
