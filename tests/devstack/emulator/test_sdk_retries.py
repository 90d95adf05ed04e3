"""SDK retries in devstack.log (devstack.retries) and the WAF duplicate of the first `make up`.

The flake: the first apply of a fresh clone failed with ``WAFDuplicateItemException`` on
CreateWebACL of the primary region's web ACL while the secondary's was created at the same
instant. Either moto's duplicate check is wrong under two regions' concurrent creates, or the
SDK sent the create again after losing the first answer (what AWS also answers "duplicate").
These tests pin both: concurrent creates never collide, and a resent create is logged with the
answer its first attempt got.
"""

from __future__ import annotations

import logging
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from devstack.retries import RetryLog, sdk_attempt
from devstack.wsgi import AwsRequest, Response

from .test_faults import control


def web_acl(name: str) -> dict[str, Any]:
    return {
        "Name": name,
        "Scope": "REGIONAL",
        "DefaultAction": {"Allow": {}},
        "VisibilityConfig": {
            "SampledRequestsEnabled": False,
            "CloudWatchMetricsEnabled": False,
            "MetricName": name,
        },
        "Rules": [],
    }


@pytest.fixture
def no_faults_after(emulator: Any) -> Iterator[None]:
    yield
    control(emulator, "DELETE")


def test_two_regions_create_their_web_acls_at_the_same_instant(
    emulator: Any, unique_name: Any
) -> None:
    """What terraform does with -parallelism: both regions' CreateWebACL at once, many times."""
    failures: list[str] = []
    for round_ in range(15):
        barrier = threading.Barrier(2)
        base = unique_name("acl")

        def create(
            region: str,
            base: str = base,
            barrier: threading.Barrier = barrier,
            round_: int = round_,
        ) -> None:
            client = emulator.client("wafv2", region)
            barrier.wait()
            try:
                client.create_web_acl(**web_acl(f"{base}-{region}"))
            except Exception as error:  # collected: the assertion names every failure
                failures.append(f"round {round_} {region}: {error}")

        threads = [threading.Thread(target=create, args=(r,)) for r in ("us-east-1", "us-west-2")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    assert failures == []


def test_a_resent_create_is_a_duplicate_and_the_log_says_what_the_first_attempt_got(
    emulator: Any, unique_name: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """The SDK resends a create whose answer it lost: AWS (and the emulator) answer duplicate,
    and devstack.log names the retry and the 200 its first attempt was answered."""
    client = emulator.client("wafv2", "us-east-1")
    sent: dict[str, Any] = {}

    def keep(request: Any, **_: Any) -> None:
        sent.update(url=request.url, headers=dict(request.headers.items()), body=request.body)

    client.meta.events.register("before-send.wafv2.CreateWebACL", keep)
    caplog.set_level(logging.INFO, logger="devstack.retries")
    client.create_web_acl(**web_acl(unique_name("resent")))

    headers = {k: v.decode() if isinstance(v, bytes) else v for k, v in sent["headers"].items()}
    identity = sdk_attempt({k.lower(): v for k, v in headers.items()})
    assert identity is not None, "botocore sends amz-sdk-invocation-id and amz-sdk-request"
    invocation = identity[0]
    headers["amz-sdk-request"] = "attempt=2; max=3"
    resend = urllib.request.Request(  # noqa: S310 - local http
        sent["url"], data=sent["body"], headers=headers, method="POST"
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(resend, timeout=30)  # noqa: S310 - local http
    assert refused.value.code == 400
    # moto 5.2.1 names it WafV2DuplicateItem (AWS: WAFDuplicateItemException), as in the CI log.
    assert b"DuplicateItem" in refused.value.read()

    retries = [r.getMessage() for r in caplog.records if r.name == "devstack.retries"]
    assert len(retries) == 1, retries
    assert "wafv2 us-east-1 CreateWebACL attempt 2/3" in retries[0]
    assert invocation in retries[0]
    assert "attempt 1 was answered 200" in retries[0]


def test_a_retry_after_an_injected_503_is_logged_with_that_answer(
    emulator: Any, caplog: pytest.LogCaptureFixture, no_faults_after: None
) -> None:
    """botocore itself retries the 503: every attempt after the first is in the log."""
    assert control(emulator, "PUT", {"service": "kms", "region": "us-west-2"})[0] == 200
    caplog.set_level(logging.INFO, logger="devstack.retries")
    client = emulator.client("kms", "us-west-2", retries=2)  # botocore: 2 retries, 3 attempts
    with pytest.raises(Exception, match=r"ServiceUnavailable|injected"):
        client.list_keys()
    retries = [r.getMessage() for r in caplog.records if r.name == "devstack.retries"]
    assert [m.split(" (")[0] for m in retries] == [
        "SDK retry: kms us-west-2 ListKeys attempt 2/3",
        "SDK retry: kms us-west-2 ListKeys attempt 3/3",
    ]
    assert all("was answered 503 ServiceUnavailable" in m for m in retries)


def test_requests_without_sdk_headers_are_not_tracked() -> None:
    assert sdk_attempt({}) is None
    assert sdk_attempt({"amz-sdk-invocation-id": "x"}) is None
    assert sdk_attempt({"amz-sdk-invocation-id": "x", "amz-sdk-request": "attempt=3"}) == (
        "x",
        3,
        None,
    )


def test_the_log_forgets_the_oldest_invocations_first() -> None:
    log = RetryLog(capacity=2)
    for invocation in ("a", "b", "c"):
        request = AwsRequest(
            "POST",
            "/",
            "",
            {"amz-sdk-invocation-id": invocation, "amz-sdk-request": "attempt=1; max=3"},
            b"",
            {},
        )
        log.answered(log.arrived(request), Response(200, [], b"{}"))
    assert log.last("a") is None
    last = log.last("c")
    assert last is not None
    assert last.status == 200
