"""What the runtimes read from moto per request stays cheap: constant documents are read once."""

from __future__ import annotations

from pathlib import Path
from unittest import mock

from devstack.server import configure_moto_environment

configure_moto_environment()

from moto.cognitoidp.models import cognitoidp_backends  # noqa: E402
from moto.core.models import DEFAULT_ACCOUNT_ID  # noqa: E402

from devstack import backend as backend_module  # noqa: E402 - after the moto environment


def test_the_pool_signing_keys_are_read_from_moto_once(tmp_path: Path) -> None:
    # Every request through a Cognito authorizer asks for the pool's JWKS: moto's key file was
    # read from disk and parsed each time (a twentieth of the emulator's time on profile reads).
    pool = cognitoidp_backends[DEFAULT_ACCOUNT_ID]["eu-west-3"].create_user_pool("jwks", {})
    backend = backend_module.MotoBackend(DEFAULT_ACCOUNT_ID, tmp_path / "log")
    with mock.patch.object(
        backend_module, "load_resource", autospec=True, side_effect=backend_module.load_resource
    ) as load:
        documents = [backend.user_pool_jwks("eu-west-3", pool.id) for _ in range(5)]
    assert load.call_count <= 1
    assert documents[0] is not None
    assert documents[0]["keys"]
    assert all(document == documents[0] for document in documents)
    assert backend.user_pool_jwks("eu-west-3", "eu-west-3_nosuchpool") is None


def test_the_log_sink_writes_each_invocation_to_the_file_at_once(tmp_path: Path) -> None:
    """The devstack log stays open between invocations; each one is readable once written."""
    log_path = tmp_path / "devstack.log"
    backend = backend_module.MotoBackend(DEFAULT_ACCOUNT_ID, log_path)
    backend("/aws/lambda/first", ["START RequestId: 1", "hello\n"])
    assert log_path.read_text() == "/aws/lambda/first START RequestId: 1\n/aws/lambda/first hello\n"
    backend("/aws/lambda/second", ["END RequestId: 2"])
    assert log_path.read_text().endswith("/aws/lambda/second END RequestId: 2\n")
    backend.close()
    backend("/aws/lambda/first", ["after close"])  # reopened: nothing is lost
    assert log_path.read_text().count("\n") == 4
    backend.close()
