"""Money as decimal strings checked against ISO 4217 minor units: never a float."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from types import MappingProxyType

# ISO 4217 minor units for the currencies the API accepts.
MINOR_UNITS: dict[str, int] = {
    "USD": 2, "EUR": 2, "GBP": 2, "CHF": 2, "CAD": 2, "AUD": 2, "SEK": 2, "NOK": 2, "DKK": 2,
    "PLN": 2, "CZK": 2, "INR": 2, "BRL": 2, "MXN": 2, "SGD": 2, "HKD": 2, "ZAR": 2, "CNY": 2,
    "JPY": 0, "KRW": 0, "ISK": 0, "CLP": 0, "VND": 0,
    "BHD": 3, "KWD": 3, "OMR": 3, "JOD": 3, "TND": 3,
}  # fmt: skip

# Largest accepted amount per currency when MAX_TRANSACTION_AMOUNTS does not override it: each is
# roughly 1,000,000 USD, rounded to a memorable figure (late-2026 orders of magnitude). These are
# risk limits, NOT exchange rates: nothing converts with them, and they need revisiting only when a
# currency moves by a large factor. The table is documented in docs/interfaces.md (a unit test
# keeps the two identical).
DEFAULT_MAX_AMOUNTS: dict[str, str] = {
    "USD": "1000000", "EUR": "1000000", "GBP": "800000", "CHF": "900000",
    "CAD": "1400000", "AUD": "1500000", "SEK": "10000000", "NOK": "10000000",
    "DKK": "7000000", "PLN": "4000000", "CZK": "23000000", "INR": "85000000",
    "BRL": "5500000", "MXN": "20000000", "SGD": "1300000", "HKD": "7800000",
    "ZAR": "18000000", "CNY": "7000000", "JPY": "150000000", "KRW": "1400000000",
    "ISK": "140000000", "CLP": "950000000", "VND": "25000000000", "BHD": "380000",
    "KWD": "300000", "OMR": "380000", "JOD": "700000", "TND": "3000000",
}  # fmt: skip

_AMOUNT = re.compile(r"^(0|[1-9][0-9]{0,17})(\.[0-9]{1,4})?$")


class InvalidAmountError(ValueError):
    """The amount or currency is not acceptable; the message says why."""


def _check_format(amount: str, currency: str) -> Decimal:
    """The amount as a Decimal if it is a positive plain decimal within the currency's units."""
    if currency not in MINOR_UNITS:
        raise InvalidAmountError(f"currency {currency!r} is not a supported ISO 4217 code")
    if not _AMOUNT.fullmatch(amount):
        raise InvalidAmountError("amount must be a plain decimal string such as '12.34'")
    value = Decimal(amount)
    fraction = amount.partition(".")[2]
    if len(fraction) > MINOR_UNITS[currency]:
        raise InvalidAmountError(
            f"{currency} allows at most {MINOR_UNITS[currency]} decimal places"
        )
    if value <= 0:
        raise InvalidAmountError("amount must be greater than zero")
    return value


@dataclass(frozen=True)
class AmountLimits:
    """The largest accepted amount of every supported currency."""

    maximums: Mapping[str, Decimal] = field(
        default_factory=lambda: MappingProxyType(_parse_table(DEFAULT_MAX_AMOUNTS))
    )

    @classmethod
    def defaults(cls) -> AmountLimits:
        return cls()

    @classmethod
    def with_overrides(cls, overrides: Mapping[str, str]) -> AmountLimits:
        """The defaults with ``overrides`` (currency → maximum, a decimal string) applied.

        Raises InvalidAmountError naming the first bad currency or amount.
        """
        table = {**DEFAULT_MAX_AMOUNTS, **overrides}
        return cls(MappingProxyType(_parse_table(table)))

    def maximum(self, currency: str) -> Decimal:
        return self.maximums[currency]


def _parse_table(table: Mapping[str, str]) -> dict[str, Decimal]:
    parsed: dict[str, Decimal] = {}
    for currency, amount in table.items():
        try:
            parsed[currency] = _check_format(amount, currency)
        except InvalidAmountError as problem:
            raise InvalidAmountError(f"maximum for {currency!r}: {problem}") from None
    return parsed


def parse_amount(amount: str, currency: str, limits: AmountLimits) -> Decimal:
    """Return the amount as a Decimal, or raise InvalidAmountError.

    Only plain decimal notation is accepted (no exponent, sign or whitespace), with at most the
    currency's minor units as fraction digits, strictly positive and not above the currency's
    maximum in ``limits``.
    """
    value = _check_format(amount, currency)
    maximum = limits.maximum(currency)
    if value > maximum:
        raise InvalidAmountError(f"amount must not exceed {maximum} {currency}")
    return value


def format_amount(value: Decimal, currency: str) -> str:
    """The amount as a plain decimal string with exactly the currency's minor units ("12.30").

    DynamoDB normalises numbers ("12.30" is stored as 12.3), so responses format from the
    currency instead of echoing the request text: the same transaction always reads the same.
    """
    exponent = Decimal(1).scaleb(-MINOR_UNITS.get(currency, 2))
    return format(value.quantize(exponent), "f")
