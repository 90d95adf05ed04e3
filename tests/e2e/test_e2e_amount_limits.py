"""Suite: per-currency maximum amounts (issue 11 item 11) through the deployed API.

One maximum for every currency refused 1,000,001 VND (about 40 USD) and accepted 1,000,000 KWD
(about 3.2 million USD). With the default limits (docs/interfaces.md, roughly 1,000,000 USD each)
the first is a normal payment and the second is refused; the refused one writes nothing.
"""

from __future__ import annotations

from e2e_support.api import Api, expect_error, expect_status
from e2e_support.users import User


def test_a_million_and_one_dong_is_accepted(api: Api, user: User) -> None:
    response = api.post_transaction(
        user.id_token, {"amount": "1000001", "currency": "VND", "type": "credit"}
    )
    expect_status(response, 201)
    assert response.json()["amount"] == "1000001"


def test_a_million_kuwaiti_dinars_is_refused_and_nothing_is_written(api: Api, user: User) -> None:
    response = api.post_transaction(
        user.id_token, {"amount": "1000000", "currency": "KWD", "type": "credit"}
    )
    expect_error(response, 400, "VALIDATION_ERROR")
    assert "KWD" in response.json()["error"]["message"]
    assert api.all_transactions(user.id_token) == []
