from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest

from meridian.money import (
    DEFAULT_MAX_AMOUNTS,
    MINOR_UNITS,
    AmountLimits,
    InvalidAmountError,
    parse_amount,
)

DEFAULTS = AmountLimits.defaults()
INTERFACES_MD = Path(__file__).resolve().parents[2] / "docs" / "interfaces.md"


@pytest.mark.parametrize(
    ("amount", "currency", "expected"),
    [
        ("12.34", "USD", Decimal("12.34")),
        ("5", "JPY", Decimal(5)),
        ("1.234", "BHD", Decimal("1.234")),
        ("1000000", "USD", Decimal(1_000_000)),
    ],
)
def test_accepts_valid_amounts(amount: str, currency: str, expected: Decimal) -> None:
    assert parse_amount(amount, currency, DEFAULTS) == expected


@pytest.mark.parametrize(
    ("amount", "currency", "reason"),
    [
        ("1e3", "USD", "plain decimal"),
        ("0.001", "USD", "at most 2"),
        ("0", "USD", "greater than zero"),
        ("0.00", "USD", "greater than zero"),
        ("-1", "USD", "plain decimal"),
        ("1.5", "JPY", "at most 0"),
        (" 1", "USD", "plain decimal"),
        ("1000000.01", "USD", "must not exceed 1000000 USD"),
        ("1", "XXX", "not a supported"),
        ("NaN", "USD", "plain decimal"),
    ],
)
def test_rejects_invalid_amounts(amount: str, currency: str, reason: str) -> None:
    with pytest.raises(InvalidAmountError, match=reason):
        parse_amount(amount, currency, DEFAULTS)


# -- item 11: the maximum is per currency ----------------------------------------------------


def test_a_large_amount_of_a_small_unit_currency_is_accepted() -> None:
    # 1,000,001 VND is about 40 USD: one global maximum of 1,000,000 refused it.
    assert parse_amount("1000001", "VND", DEFAULTS) == Decimal(1_000_001)


def test_a_million_of_a_large_unit_currency_is_refused() -> None:
    # 1,000,000 KWD is about 3.2 million USD: one global maximum of 1,000,000 accepted it.
    with pytest.raises(InvalidAmountError, match="must not exceed 300000 KWD"):
        parse_amount("1000000", "KWD", DEFAULTS)


def test_every_supported_currency_has_a_default_maximum() -> None:
    assert set(DEFAULT_MAX_AMOUNTS) == set(MINOR_UNITS)


@pytest.mark.parametrize("currency", sorted(DEFAULT_MAX_AMOUNTS))
def test_each_default_maximum_is_itself_an_acceptable_amount(currency: str) -> None:
    maximum = DEFAULT_MAX_AMOUNTS[currency]
    assert parse_amount(maximum, currency, DEFAULTS) == Decimal(maximum)


def test_defaults_are_roughly_one_million_us_dollars_each() -> None:
    # Orders of magnitude, not FX rates: each default sits within a factor of 2 of
    # 1,000,000 USD at late-2026 rates (these rough rates are only this test's yardstick).
    usd_per_unit = {
        "USD": 1, "EUR": 1.1, "GBP": 1.3, "CHF": 1.15, "CAD": 0.72, "AUD": 0.65, "SEK": 0.095,
        "NOK": 0.093, "DKK": 0.145, "PLN": 0.25, "CZK": 0.044, "INR": 0.0115, "BRL": 0.18,
        "MXN": 0.052, "SGD": 0.76, "HKD": 0.128, "ZAR": 0.055, "CNY": 0.14, "JPY": 0.0066,
        "KRW": 0.0007, "ISK": 0.0075, "CLP": 0.00105, "VND": 0.00004, "BHD": 2.65,
        "KWD": 3.25, "OMR": 2.6, "JOD": 1.41, "TND": 0.33,
    }  # fmt: skip
    assert set(usd_per_unit) == set(DEFAULT_MAX_AMOUNTS)
    for currency, maximum in DEFAULT_MAX_AMOUNTS.items():
        in_usd = float(maximum) * usd_per_unit[currency]
        assert 500_000 <= in_usd <= 2_000_000, (currency, in_usd)


def test_overrides_replace_only_the_currencies_they_name() -> None:
    limits = AmountLimits.with_overrides({"USD": "5000", "JPY": "700000"})
    assert limits.maximum("USD") == Decimal(5000)
    assert limits.maximum("JPY") == Decimal(700_000)
    assert limits.maximum("EUR") == Decimal(DEFAULT_MAX_AMOUNTS["EUR"])
    with pytest.raises(InvalidAmountError, match="must not exceed 5000 USD"):
        parse_amount("5000.01", "USD", limits)


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"XXX": "10"}, "not a supported"),
        ({"usd": "10"}, "not a supported"),
        ({"USD": "0"}, "greater than zero"),
        ({"USD": "1e6"}, "plain decimal"),
        ({"JPY": "10.5"}, "at most 0"),
    ],
)
def test_bad_overrides_are_refused(overrides: dict[str, str], reason: str) -> None:
    with pytest.raises(InvalidAmountError, match=reason):
        AmountLimits.with_overrides(overrides)


def test_the_documented_table_is_the_code() -> None:
    # docs/interfaces.md lists the defaults; this keeps the table and the code identical.
    text = INTERFACES_MD.read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\| `([A-Z]{3})` \| `([0-9.]+)` \|", text, flags=re.MULTILINE))
    assert rows == DEFAULT_MAX_AMOUNTS


def test_terraform_validates_the_same_currencies_and_minor_units() -> None:
    # infra/variables.tf refuses an unsupported code at plan time instead of at cold start.
    variables = (Path(__file__).resolve().parents[2] / "infra" / "variables.tf").read_text()
    block = variables.split('variable "max_transaction_amounts"', 1)[1].split("\n}\n", 1)[0]
    table = re.search(r"lookup\(\{ (.+?) \}, currency, -1\)", block)
    assert table is not None
    pairs = dict(re.findall(r"([A-Z]{3}) = ([0-9])", table.group(1)))
    assert {code: int(units) for code, units in pairs.items()} == MINOR_UNITS
