"""After the run: is every acknowledged write stored exactly once, in every region?

Two halves:
- :func:`check` (pure): the ledger (what clients were told) against what each region's API
  returns; unit-tested with fake data in tests/load/test_reconcile.py.
- :func:`observe` (HTTP): reads every owner's transactions (list, newest first) and profile
  through one region's API, called directly with CloudFront's origin-verify header, as the e2e
  ``api_primary`` / ``api_secondary`` fixtures do.

What counts as a failure (issue 15):
- an Idempotency-Key whose acknowledged answers name two different transactions;
- an acknowledged transaction missing in a region, listed twice, or stored with another id or
  body; more than one stored transaction for one key (acknowledged or not); a transaction of
  this run that no request of the ledger asked for;
- an acknowledged profile update lost: the stored version/fields are not the last acknowledged
  write (or one of the later writes whose outcome the client could not know);
- an owner whose data a region could not read (the check cannot prove anything for it).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from load.ledger import Ledger, ProfileState, transaction_reference

TRANSACTION_FIELDS = ("amount", "currency", "type")


@dataclass
class RegionView:
    """What one region's API returned for the owners of the run."""

    region: str
    # owner -> listed transactions of this run (items whose reference starts with the run's prefix)
    transactions: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    # owner -> profile document (None: 404)
    profiles: dict[str, dict[str, Any] | None] = field(default_factory=dict)
    # owner -> why it could not be read
    unreadable: dict[str, str] = field(default_factory=dict)


@dataclass
class Reconciliation:
    acknowledged_transactions: int = 0
    attempted_keys: int = 0
    profiles_checked: int = 0
    regions: list[str] = field(default_factory=list)
    failures: list[tuple[str, str]] = field(default_factory=list)  # (kind, detail)

    @property
    def ok(self) -> bool:
        return not self.failures

    def counts(self) -> dict[str, int]:
        return dict(sorted(Counter(kind for kind, _ in self.failures).items()))

    def fail(self, kind: str, detail: str) -> None:
        self.failures.append((kind, detail))


def check(ledger: Ledger, views: list[RegionView]) -> Reconciliation:
    result = Reconciliation(regions=[view.region for view in views])
    prefix = transaction_reference(ledger.run_id, "")
    by_reference = {
        (entry.owner, transaction_reference(ledger.run_id, entry.key)): entry
        for entry in ledger.transactions.values()
    }
    result.attempted_keys = len(by_reference)

    for entry in ledger.transactions.values():
        if len(set(entry.acknowledged_ids)) > 1:
            result.fail(
                "key_maps_to_two_transactions",
                f"{entry.owner} key {entry.key}: "
                f"acknowledged ids {sorted(set(entry.acknowledged_ids))}",
            )
        if entry.acknowledged:
            result.acknowledged_transactions += 1

    for view in views:
        for owner, reason in sorted(view.unreadable.items()):
            result.fail("unreadable", f"{view.region} {owner}: {reason}")
        _check_transactions(ledger, view, by_reference, prefix, result)
        _check_profiles(ledger, view, result)
    result.profiles_checked = len(ledger.profiles)
    return result


def _check_transactions(
    ledger: Ledger,
    view: RegionView,
    by_reference: Mapping[tuple[str, str], Any],
    prefix: str,
    result: Reconciliation,
) -> None:
    owners = {entry.owner for entry in ledger.transactions.values()}
    for owner in sorted(owners):
        if owner in view.unreadable:
            continue
        stored = _stored_by_reference(view, owner, by_reference, prefix, result)
        for (entry_owner, reference), entry in by_reference.items():
            if entry_owner != owner:
                continue
            found = {str(item.get("transaction_id")): item for item in stored.get(reference, [])}
            if len(found) > 1:
                result.fail(
                    "key_maps_to_two_transactions",
                    f"{view.region} {owner} key {entry.key}: stored {sorted(found)}",
                )
            if not entry.acknowledged:
                continue
            acknowledged_id = entry.acknowledged_ids[0]
            if acknowledged_id not in found:
                result.fail(
                    "acknowledged_transaction_missing",
                    f"{view.region} {owner} key {entry.key}: {acknowledged_id} not stored"
                    + (f" (stored {sorted(found)})" if found else ""),
                )
                continue
            item = found[acknowledged_id]
            wrong = [
                name
                for name in TRANSACTION_FIELDS
                if str(item.get(name)) != str(entry.body.get(name))
            ]
            if wrong:
                result.fail(
                    "transaction_differs",
                    f"{view.region} {owner} {acknowledged_id}: "
                    f"fields {wrong} differ from the request",
                )


def _stored_by_reference(
    view: RegionView,
    owner: str,
    by_reference: Mapping[tuple[str, str], Any],
    prefix: str,
    result: Reconciliation,
) -> dict[str, list[dict[str, Any]]]:
    """The owner's listed transactions of this run by reference; flags duplicates and strays."""
    items = view.transactions.get(owner, [])
    ids = Counter(str(item.get("transaction_id")) for item in items)
    for transaction_id, n in ids.items():
        if n > 1:
            result.fail("listed_twice", f"{view.region} {owner}: {transaction_id} x{n}")
    stored: dict[str, list[dict[str, Any]]] = {}
    for item in items:
        reference = str(item.get("reference", ""))
        if not reference.startswith(prefix):
            continue
        if (owner, reference) not in by_reference:
            result.fail(
                "unrequested_transaction",
                f"{view.region} {owner}: {item.get('transaction_id')} ({reference})",
            )
            continue
        stored.setdefault(reference, []).append(item)
    return stored


def _profile_matches(stored: Mapping[str, Any], state: ProfileState) -> bool:
    if int(stored.get("version", -1)) != state.version:
        return False
    return all(stored.get(name) == value for name, value in state.fields.items())


def _check_profiles(ledger: Ledger, view: RegionView, result: Reconciliation) -> None:
    for owner, state in sorted(ledger.profiles.items()):
        if owner in view.unreadable:
            continue
        stored = view.profiles.get(owner)
        if stored is None:
            result.fail("profile_lost", f"{view.region} {owner}: no profile (404)")
            continue
        later = [
            candidate
            for candidate in ledger.indeterminate_profiles.get(owner, [])
            if candidate.version > state.version
        ]
        if _profile_matches(stored, state) or any(_profile_matches(stored, c) for c in later):
            continue
        result.fail(
            "profile_update_lost",
            f"{view.region} {owner}: stored version {stored.get('version')}, "
            f"last acknowledged version {state.version}",
        )


# -- reading the regions -------------------------------------------------------------------------

# (owner) -> headers that authenticate as that owner (Authorization: Bearer ...)
AuthFor = Callable[[str], dict[str, str]]
# (url, headers) -> (status, json body or None)
HttpGet = Callable[[str, dict[str, str]], tuple[int, Any]]


def observe(
    region: str,
    base_url: str,
    ledger: Ledger,
    *,
    auth_for: AuthFor,
    http_get: HttpGet,
    origin_headers: Mapping[str, str],
    max_pages: int = 200,
    since: str | None = None,
) -> RegionView:
    """Read every owner's transactions of this run and every profile through ``base_url``.

    Transactions are listed newest first (docs/interfaces.md), 100 a page; paging stops at the
    end, at ``max_pages``, or at a transaction created before ``since`` (RFC 3339 UTC, the run's
    start): a partner's namespace keeps earlier runs' transactions too.
    """
    view = RegionView(region=region)
    prefix = transaction_reference(ledger.run_id, "")
    owners_with_transactions = sorted({entry.owner for entry in ledger.transactions.values()})
    for owner in owners_with_transactions:
        headers = {**origin_headers, **auth_for(owner)}
        items: list[dict[str, Any]] = []
        cursor: str | None = None
        for _ in range(max_pages):
            url = f"{base_url}/transactions?limit=100" + (f"&cursor={cursor}" if cursor else "")
            status, body = http_get(url, headers)
            if status != 200 or not isinstance(body, dict):
                view.unreadable[owner] = f"GET /transactions -> {status}"
                break
            page = [item for item in body.get("items", []) if isinstance(item, dict)]
            items.extend(item for item in page if str(item.get("reference", "")).startswith(prefix))
            cursor = body.get("next_cursor")
            older = since is not None and any(str(i.get("created_at", "")) < since for i in page)
            if not cursor or older:
                break
        view.transactions[owner] = items
    for owner in sorted(ledger.profiles):
        status, body = http_get(f"{base_url}/profiles/me", {**origin_headers, **auth_for(owner)})
        if status == 200 and isinstance(body, dict):
            view.profiles[owner] = body
        elif status == 404:
            view.profiles[owner] = None
        else:
            view.unreadable[owner] = f"GET /profiles/me -> {status}"
    return view
