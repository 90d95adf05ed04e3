"""HTTP connections from one chosen local address (a loopback alias such as 127.0.0.x).

The devstack's edge takes the TCP peer as the client IP (contract D), as CloudFront and WAF take
the viewer's address: a client that binds its own loopback address is a client of its own for the
WAF's per-IP rate-based rule. Used by the e2e WAF test and by the load test's simulated clients.
"""

from __future__ import annotations

from typing import Any

from requests.adapters import HTTPAdapter


class SourceAddressAdapter(HTTPAdapter):
    """A requests adapter whose connections leave from ``source_ip`` (urllib3's
    ``source_address``); pool sizes and other options as for ``HTTPAdapter``."""

    def __init__(self, source_ip: str, **kwargs: Any) -> None:
        self._source_ip = source_ip
        super().__init__(**kwargs)

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        kwargs["source_address"] = (self._source_ip, 0)
        super().init_poolmanager(*args, **kwargs)
