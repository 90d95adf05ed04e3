"""SDK retries in devstack.log (devstack.retries) and the WAF duplicate of the first `make up`.

The flake: the first apply of a fresh clone failed with ``WAFDuplicateItemException`` on
CreateWebACL of the primary region's web ACL while the secondary's was created at the same
instant. Either moto's duplicate check is wrong under two regions' concurrent creates, or the
SDK sent the create again after losing the first answer (what AWS also answers "duplicate").
These tests pin both: concurrent creates never collide, and a resent create is logged with the
answer its first attempt got and, when that was a 2xx, gets it again instead of running twice.
"""

from __future__ import annotations

import json
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


def _first_attempt_of_a_create(emulator: Any, name: str) -> tuple[str, dict[str, str], bytes, str]:
    """Create a web ACL through botocore; return what it sent (url, headers, body) and the
    invocation id, as the SDK would resend them."""
    client = emulator.client("wafv2", "us-east-1")
    sent: dict[str, Any] = {}

    def keep(request: Any, **_: Any) -> None:
        sent.update(url=request.url, headers=dict(request.headers.items()), body=request.body)

    client.meta.events.register("before-send.wafv2.CreateWebACL", keep)
    client.create_web_acl(**web_acl(name))
    headers = {k: v.decode() if isinstance(v, bytes) else v for k, v in sent["headers"].items()}
    identity = sdk_attempt({k.lower(): v for k, v in headers.items()})
    assert identity is not None, "botocore sends amz-sdk-invocation-id and amz-sdk-request"
    return sent["url"], headers, sent["body"], identity[0]


def _resend(url: str, headers: dict[str, str], body: bytes) -> tuple[int, bytes]:
    # urllib sets the length of the body it sends (another body has another length).
    again = {k: v for k, v in headers.items() if k.lower() != "content-length"}
    again["amz-sdk-request"] = "attempt=2; max=3"
    request = urllib.request.Request(url, data=body, headers=again, method="POST")  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310 - local http
            return answer.status, answer.read()
    except urllib.error.HTTPError as refused:
        return refused.code, refused.read()


def _acls_named(emulator: Any, name: str) -> list[dict[str, Any]]:
    listed = emulator.client("wafv2", "us-east-1").list_web_acls(Scope="REGIONAL")["WebACLs"]
    return [acl for acl in listed if acl["Name"] == name]


def test_a_resent_create_gets_its_first_answer_again_and_runs_once(
    emulator: Any, unique_name: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """The SDK resends a create whose 200 it lost: the emulator answers that 200 again instead
    of creating twice (AWS would run it and answer duplicate; devstack.retries says why), and
    devstack.log names the retry, the 200 of its first attempt and the replay."""
    name = unique_name("resent")
    caplog.set_level(logging.INFO, logger="devstack.retries")
    url, headers, body, invocation = _first_attempt_of_a_create(emulator, name)

    status, answer = _resend(url, headers, body)

    assert status == 200, answer
    created = json.loads(answer)["Summary"]
    assert created["Name"] == name
    assert [acl["Id"] for acl in _acls_named(emulator, name)] == [created["Id"]]
    retries = [r.getMessage() for r in caplog.records if r.name == "devstack.retries"]
    assert len(retries) == 1, retries
    assert "wafv2 us-east-1 CreateWebACL attempt 2/3" in retries[0]
    assert invocation in retries[0]
    assert "attempt 1 was answered 200" in retries[0]
    assert "replayed that answer" in retries[0]


def test_a_retry_with_another_body_runs_again(emulator: Any, unique_name: Any) -> None:
    """Only a resend of the same request is answered from the first attempt: the same
    invocation id with another body runs (and here is refused as the duplicate it is)."""
    name = unique_name("changed")
    url, headers, body, _ = _first_attempt_of_a_create(emulator, name)
    document = json.loads(body)
    document["Description"] = "changed"

    status, answer = _resend(url, headers, json.dumps(document).encode())

    assert status == 400
    # moto 5.2.1 names it WafV2DuplicateItem (AWS: WAFDuplicateItemException), as in the CI log.
    assert b"DuplicateItem" in answer
    assert len(_acls_named(emulator, name)) == 1


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
