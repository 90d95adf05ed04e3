"""PartnerKeyStore alone (no moto): kid parsing, the bounded cache, outage versus revocation."""

from __future__ import annotations

import json

import pytest
from test_faults import client_error

from meridian.auth.errors import DependencyUnavailableError, TokenRejectedError
from meridian.auth.partner import PartnerKeyId, PartnerKeyStore

KEY = "k" * 64


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class Secrets:
    """Secrets Manager by name: missing names answer ResourceNotFoundException."""

    def __init__(self, values: dict[str, str]) -> None:
        self.values = values
        self.calls: list[str] = []

    def get_secret_value(self, *, SecretId: str) -> dict[str, str]:  # noqa: N803
        self.calls.append(SecretId)
        if SecretId not in self.values:
            raise client_error("ResourceNotFoundException")
        return {"SecretString": self.values[SecretId]}


def store_for(secrets: Secrets, clock: Clock, cache_seconds: int = 300) -> PartnerKeyStore:
    return PartnerKeyStore("p/", cache_seconds, client=lambda: secrets, clock=clock)


def test_kid_round_trip() -> None:
    key_id = PartnerKeyId.parse("acme-corp/2026-01")
    assert (key_id.partner, key_id.key_id, str(key_id)) == (
        "acme-corp",
        "2026-01",
        "acme-corp/2026-01",
    )


def test_the_cache_stays_bounded_under_many_kids(monkeypatch) -> None:
    monkeypatch.setattr(PartnerKeyStore, "MAX_ENTRIES", 4)
    monkeypatch.setattr(PartnerKeyStore, "UNKNOWN_KID_LOOKUPS_PER_MINUTE", 100)
    clock = Clock()
    store = store_for(Secrets({}), clock)
    for index in range(20):
        with pytest.raises(TokenRejectedError, match="unknown_key"):
            store.signing_key(PartnerKeyId("forged", f"k{index}"))
    assert store.cache_size <= 4


def test_a_cache_window_of_zero_reads_every_time() -> None:
    secrets = Secrets({"p/acme/k1": json.dumps({"signing_key": KEY})})
    store = store_for(secrets, Clock(), cache_seconds=0)
    for _ in range(3):
        assert store.signing_key(PartnerKeyId("acme", "k1")) == KEY
    assert len(secrets.calls) == 3


def test_an_outage_on_a_known_key_stays_an_outage_however_long_it_lasts() -> None:
    """A failed re-read must not demote a known key to "unknown" (rate-limited → 401)."""
    clock = Clock()
    secrets = Secrets({"p/acme/k1": json.dumps({"signing_key": KEY})})
    store = store_for(secrets, clock)
    store.signing_key(PartnerKeyId("acme", "k1"))
    clock.now += 301

    def unavailable(*, SecretId: str) -> dict[str, str]:  # noqa: N803
        raise client_error("ServiceUnavailable", 503)

    secrets.get_secret_value = unavailable  # type: ignore[method-assign]
    for _ in range(PartnerKeyStore.UNKNOWN_KID_LOOKUPS_PER_MINUTE * 2):
        with pytest.raises(DependencyUnavailableError):
            store.signing_key(PartnerKeyId("acme", "k1"))
