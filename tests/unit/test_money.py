from decimal import Decimal

import pytest

from meridian.money import InvalidAmountError, parse_amount

MAX = Decimal("1000000")


@pytest.mark.parametrize(
    ("amount", "currency", "expected"),
    [
        ("12.34", "USD", Decimal("12.34")),
        ("5", "JPY", Decimal(5)),
        ("1.234", "BHD", Decimal("1.234")),
    ],
)
def test_accepts_valid_amounts(amount: str, currency: str, expected: Decimal) -> None:
    assert parse_amount(amount, currency, MAX) == expected


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
        ("1000000.01", "USD", "must not exceed"),
        ("1", "XXX", "not a supported"),
        ("NaN", "USD", "plain decimal"),
    ],
)
def test_rejects_invalid_amounts(amount: str, currency: str, reason: str) -> None:
    with pytest.raises(InvalidAmountError, match=reason):
        parse_amount(amount, currency, MAX)
