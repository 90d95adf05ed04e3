"""The web ACLs, associations and logging configurations Terraform created in the emulator.

Read from moto's wafv2 backends at call time (``FakeWebACL.to_dict()`` is the GetWebACL shape),
so an apply that changes a rule takes effect on the next request, as on AWS. Logs go to the
CloudWatch Logs group named by the logging configuration (``aws-waf-logs-...``), one stream per
web ACL, as WAF writes them.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from typing import Any

from moto.logs.models import logs_backends
from moto.wafv2.models import wafv2_backends


class MotoWebAcls:
    def __init__(self, account_id: str) -> None:
        self._account_id = account_id
        self._lock = threading.Lock()

    def _backends(self) -> list[Any]:
        account = wafv2_backends[self._account_id]
        return [account[region] for region in list(account.keys())]

    def web_acl(self, arn: str) -> Mapping[str, Any] | None:
        for backend in self._backends():
            acl = backend.wacls.get(arn)
            if acl is not None:
                result: dict[str, Any] = acl.to_dict()
                return result
        return None

    def web_acl_for_resource(self, region: str, resource_arn: str) -> str | None:
        account = wafv2_backends[self._account_id]
        if region not in account:
            return None
        acl = account[region].get_web_acl_for_resource(resource_arn)
        return None if acl is None else str(acl.arn)

    def logging_configuration(self, arn: str) -> Mapping[str, Any] | None:
        for backend in self._backends():
            config = backend.logging_configurations.get(arn)
            if config is not None:
                result: dict[str, Any] = config.to_dict()
                return result
        return None

    def write_log(self, destination_arn: str, message: str) -> None:
        # arn:aws:logs:<region>:<account>:log-group:<name>[:*]
        parts = destination_arn.split(":")
        if len(parts) < 7 or parts[2] != "logs":
            return
        region, group = parts[3], parts[6]
        backend = logs_backends[self._account_id][region]
        stream = "waf-" + time.strftime("%Y-%m-%d", time.gmtime())
        with self._lock:
            if group not in backend.groups:
                return  # WAF cannot deliver to a group that does not exist
            if stream not in backend.groups[group].streams:
                backend.create_log_stream(group, stream)
            backend.put_log_events(
                group, stream, [{"timestamp": int(time.time() * 1000), "message": message}]
            )
