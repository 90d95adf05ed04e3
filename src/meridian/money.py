"""Money as decimal strings checked against ISO 4217 minor units: never a float."""

from __future__ import annotations

import re
from decimal import Decimal

# ISO 4217 minor units for the currencies the API accepts.
MINOR_UNITS: dict[str, int] = {
    "USD": 2, "EUR": 2, "GBP": 2, "CHF": 2, "CAD": 2, "AUD": 2, "SEK": 2, "NOK": 2, "DKK": 2,
    "PLN": 2, "CZK": 2, "INR": 2, "BRL": 2, "MXN": 2, "SGD": 2, "HKD": 2, "ZAR": 2, "CNY": 2,
    "JPY": 0, "KRW": 0, "ISK": 0, "CLP": 0, "VND": 0,
    "BHD": 3, "KWD": 3, "OMR": 3, "JOD": 3, "TND": 3,
}  # fmt: skip

_AMOUNT = re.compile(r"^(0|[1-9][0-9]{0,17})(\.[0-9]{1,4})?$")


class InvalidAmountError(ValueError):
    """The amount or currency is not acceptable; the message says why."""


def parse_amount(amount: str, currency: str, maximum: Decimal) -> Decimal:
    """Return the amount as a Decimal, or raise InvalidAmountError.

    Only plain decimal notation is accepted (no exponent, sign or whitespace), with at most the
    currency's minor units as fraction digits, strictly positive and not above ``maximum``.
    """
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
    if value > maximum:
        raise InvalidAmountError(f"amount must not exceed {maximum}")
    return value


def format_amount(value: Decimal, currency: str) -> str:
    """The amount as a plain decimal string with exactly the currency's minor units ("12.30").

    DynamoDB normalises numbers ("12.30" is stored as 12.3), so responses format from the
    currency instead of echoing the request text: the same transaction always reads the same.
    """
    exponent = Decimal(1).scaleb(-MINOR_UNITS.get(currency, 2))
    return format(value.quantize(exponent), "f")
