"""Table key formats (single table, ``pk``/``sk``): the one place that spells them.

The repository (every DynamoDB call) and the events publisher's item reader
(``meridian.events.items``, one stream image) both build and read keys from here, so the key
knowledge has one home and the publisher's init does not import the repository (bench/findings.md).
"""

from __future__ import annotations

from meridian.identity import Caller

PROFILE_SK = "PROFILE"
SESSION_PREFIX = "SESSION#"
TRANSACTION_PREFIX = "TXN#"
IDEMPOTENCY_GUARD_PREFIX = "IDEMKEY#"
PARTITION_PREFIX = {"user": "USER#", "partner": "PARTNER#"}
# "~" sorts after every ULID character (0-9, A-Z): PREFIX + "~" is above every PREFIX{ULID} key.
AFTER_EVERY_ULID = "~"


def user_pk(user_id: str) -> str:
    return PARTITION_PREFIX["user"] + user_id


def caller_pk(caller: Caller) -> str:
    """``USER#<sub>`` or ``PARTNER#<name>``: caller kinds never share a partition."""
    return PARTITION_PREFIX[caller.kind] + caller.id


def owner_of(pk: str) -> Caller | None:
    """The caller whose partition ``pk`` is (the inverse of ``caller_pk``); None if none is."""
    for prefix, make in (
        (PARTITION_PREFIX["user"], Caller.user),
        (PARTITION_PREFIX["partner"], Caller.partner),
    ):
        if pk.startswith(prefix) and len(pk) > len(prefix):
            return make(pk[len(prefix) :])
    return None


def transaction_sk(transaction_id: str) -> str:
    return TRANSACTION_PREFIX + transaction_id
