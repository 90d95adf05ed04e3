"""Which IAM actions on which resources an AWS API request needs (table-driven, pure).

One row per operation the stack's functions call (and their neighbours), with the source that
names its action and resource type. An operation with no row is refused by the enforcer as not
modelled (fail closed, logged), except ``sts:GetCallerIdentity``, which needs no permission.

* DynamoDB: the action is the operation's name; the resource is the table (``TableName`` may be
  an ARN), a query or scan on an index is authorised on ``table/<t>/index/<i>``; BatchGetItem and
  BatchWriteItem need their own action on every table of ``RequestItems``; TransactWriteItems
  needs, per item, ``ConditionCheckItem`` / ``PutItem`` / ``UpdateItem`` / ``DeleteItem`` on its
  table and TransactGetItems ``GetItem``
  (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazondynamodb.html,
  https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis-iam.html).
* Secrets Manager: ``secretsmanager:<Operation>`` on the secret's full ARN (name + "-" + six
  random characters); an unknown secret is authorised on ``secret:<name>``
  (https://docs.aws.amazon.com/service-authorization/latest/reference/list_awssecretsmanager.html).
* KMS: ``kms:<Operation>`` on the key ARN (aliases resolved to their key)
  (https://docs.aws.amazon.com/service-authorization/latest/reference/list_awskeymanagementservice.html).
* X-Ray ``PutTraceSegments`` / ``PutTelemetryRecords`` and CloudWatch ``PutMetricData``: no
  resource-level permissions, resource ``*``
  (https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsx-ray.html,
  https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoncloudwatch.html).
* CloudWatch Logs ``CreateLogStream`` / ``PutLogEvents``: the log stream ARN
  (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoncloudwatchlogs.html).
* SNS ``Publish`` and ``PublishBatch``: ``sns:Publish`` on the topic (PublishBatch has no action
  of its own) (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonsns.html,
  https://docs.aws.amazon.com/sns/latest/api/API_PublishBatch.html).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl


@dataclass(frozen=True)
class Needed:
    """One permission a request needs."""

    action: str
    resource: str


@dataclass(frozen=True)
class ApiCall:
    """What the mapping needs to know about a request."""

    service: str  # signing name: "dynamodb", "secretsmanager", "kms", "xray", ...
    region: str
    account: str
    operation: str  # "GetItem", or "" when the protocol does not carry one in a header
    method: str
    path: str
    body: Mapping[str, Any]  # JSON body (or the form fields of a query-protocol request)


class Resolver:
    """Names to ARNs for resources whose ARN the request does not carry (overridden by the
    emulator adapter; the defaults build the ARN from the name)."""

    def secret_arn(self, region: str, secret_id: str) -> str | None:
        return None

    def kms_key_arn(self, region: str, key_id: str) -> str | None:
        return None


class NotModelledError(LookupError):
    """No row of the table covers this operation."""


def _table_arn(call: ApiCall, name: object) -> str:
    text = str(name)
    if text.startswith("arn:"):
        return text
    return f"arn:aws:dynamodb:{call.region}:{call.account}:table/{text}"


def _dynamodb_single(call: ApiCall, _resolver: Resolver) -> list[Needed]:
    table = _table_arn(call, call.body.get("TableName", ""))
    index = call.body.get("IndexName")
    if index and call.operation in ("Query", "Scan"):
        table = f"{table}/index/{index}"
    return [Needed(f"dynamodb:{call.operation}", table)]


def _dynamodb_batch(call: ApiCall, _resolver: Resolver) -> list[Needed]:
    items = call.body.get("RequestItems") or {}
    return [Needed(f"dynamodb:{call.operation}", _table_arn(call, name)) for name in items]


_TRANSACT_ITEM_ACTIONS = {
    "ConditionCheck": "dynamodb:ConditionCheckItem",
    "Put": "dynamodb:PutItem",
    "Update": "dynamodb:UpdateItem",
    "Delete": "dynamodb:DeleteItem",
    "Get": "dynamodb:GetItem",
}


def _dynamodb_transact(call: ApiCall, _resolver: Resolver) -> list[Needed]:
    needed: list[Needed] = []
    for item in call.body.get("TransactItems") or []:
        for kind, detail in dict(item).items():
            action = _TRANSACT_ITEM_ACTIONS.get(kind)
            if action is None:
                raise NotModelledError(f"TransactItems entry {kind}")
            needed.append(Needed(action, _table_arn(call, dict(detail).get("TableName", ""))))
    return needed


def _dynamodb_any_table(call: ApiCall, _resolver: Resolver) -> list[Needed]:
    return [Needed(f"dynamodb:{call.operation}", "*")]


def _secret(call: ApiCall, resolver: Resolver) -> list[Needed]:
    secret_id = str(call.body.get("SecretId", ""))
    arn = secret_id if secret_id.startswith("arn:") else resolver.secret_arn(call.region, secret_id)
    if arn is None:
        arn = f"arn:aws:secretsmanager:{call.region}:{call.account}:secret:{secret_id}"
    return [Needed(f"secretsmanager:{call.operation}", arn)]


def _kms_key(call: ApiCall, resolver: Resolver) -> list[Needed]:
    key_id = str(call.body.get("KeyId", ""))
    arn = key_id if key_id.startswith("arn:aws:kms:") and ":key/" in key_id else None
    if arn is None:
        arn = resolver.kms_key_arn(call.region, key_id)
    if arn is None:
        arn = f"arn:aws:kms:{call.region}:{call.account}:key/{key_id}"
    return [Needed(f"kms:{call.operation}", arn)]


def _no_resource(prefix: str) -> Callable[[ApiCall, Resolver], list[Needed]]:
    def needed(call: ApiCall, _resolver: Resolver) -> list[Needed]:
        return [Needed(f"{prefix}:{call.operation}", "*")]

    return needed


def _sns_topic(call: ApiCall, _resolver: Resolver) -> list[Needed]:
    return [Needed("sns:Publish", str(call.body.get("TopicArn", "*")))]


def _log_stream(call: ApiCall, _resolver: Resolver) -> list[Needed]:
    group = call.body.get("logGroupName", "")
    stream = call.body.get("logStreamName", "")
    arn = f"arn:aws:logs:{call.region}:{call.account}:log-group:{group}:log-stream:{stream}"
    return [Needed(f"logs:{call.operation}", arn)]


Rule = Callable[[ApiCall, Resolver], list[Needed]]

# (signing name, operation) -> rule. DynamoDB rows cover every operation the repository uses.
RULES: dict[tuple[str, str], Rule] = {
    **{
        ("dynamodb", op): _dynamodb_single
        for op in (
            "GetItem",
            "PutItem",
            "UpdateItem",
            "DeleteItem",
            "Query",
            "Scan",
            "DescribeTable",
            "DescribeTimeToLive",
            "DescribeContinuousBackups",
        )
    },
    ("dynamodb", "BatchGetItem"): _dynamodb_batch,
    ("dynamodb", "BatchWriteItem"): _dynamodb_batch,
    ("dynamodb", "TransactWriteItems"): _dynamodb_transact,
    ("dynamodb", "TransactGetItems"): _dynamodb_transact,
    ("dynamodb", "ListTables"): _dynamodb_any_table,
    **{
        ("secretsmanager", op): _secret
        for op in ("GetSecretValue", "DescribeSecret", "PutSecretValue", "GetResourcePolicy")
    },
    **{
        ("kms", op): _kms_key
        for op in ("Decrypt", "Encrypt", "GenerateDataKey", "DescribeKey", "Sign", "Verify")
    },
    ("xray", "PutTraceSegments"): _no_resource("xray"),
    ("xray", "PutTelemetryRecords"): _no_resource("xray"),
    ("cloudwatch", "PutMetricData"): _no_resource("cloudwatch"),
    ("logs", "CreateLogStream"): _log_stream,
    ("logs", "PutLogEvents"): _log_stream,
    ("sns", "Publish"): _sns_topic,
    ("sns", "PublishBatch"): _sns_topic,
}

# X-Ray is a REST protocol: the operation is the path.
_REST_OPERATIONS = {
    ("xray", "POST", "/TraceSegments"): "PutTraceSegments",
    ("xray", "POST", "/TelemetryRecords"): "PutTelemetryRecords",
}

# Needs no permission: "No permissions are required to perform this operation"
# (https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html).
ALWAYS_ALLOWED = {("sts", "GetCallerIdentity")}


def operation_of(service: str, method: str, path: str, target: str, form_body: bytes) -> str:
    """The operation's name from X-Amz-Target (JSON protocols), the path (REST) or ``Action``."""
    if target:
        return target
    rest = _REST_OPERATIONS.get((service, method, path))
    if rest is not None:
        return rest
    fields = dict(parse_qsl(form_body.decode("utf-8", "replace"))) if form_body else {}
    return fields.get("Action", "")


def needed_permissions(call: ApiCall, resolver: Resolver) -> list[Needed]:
    """Every (action, resource) the call needs; NotModelledError when no row covers it."""
    rule = RULES.get((call.service, call.operation))
    if rule is None:
        raise NotModelledError(f"{call.service}:{call.operation or '?'}")
    return rule(call, resolver)
