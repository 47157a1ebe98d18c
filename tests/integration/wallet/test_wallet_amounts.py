"""The wallet shows what the shop took, let go and paid back, not the reservation (#13.2).

A vending machine reserves 35,00, captures the chosen 25,00 and cancels the rest: the platform says captured
2500, cancelled 1000; the wallet said "Paid 35,00 kr" on the payment page and in Activity.
"""

from __future__ import annotations

import re

import pytest

from tests.harness import InProcessKasse
from tests.integration.wallet_support import KARI, pushed


@pytest.fixture
def kari(kasse: InProcessKasse) -> InProcessKasse:
    kasse.client.cookies.set("kasse_wallet_user", KARI)
    return kasse


def text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def approved(kari: InProcessKasse, value: int) -> str:
    reference = pushed(kari.demo, value=value)
    assert kari.demo.approve(reference).status_code == 200
    return reference


def test_a_partial_capture_shows_what_was_paid_and_what_was_released(kari: InProcessKasse) -> None:
    reference = approved(kari, 3500)
    assert kari.demo.modify(reference, "capture", 2500).status_code == 200
    assert kari.demo.cancel(reference).status_code == 200

    page = text(kari.client.get(f"/wallet/pay/123456/{reference}").text)
    receipt = text(kari.client.get(f"/wallet/receipt/123456/{reference}").text)
    activity = text(kari.client.get("/wallet/history").text)

    for shown in (page, receipt, activity):
        assert "25,00 kr" in shown and "10,00 kr released" in shown
        assert "35,00 kr" not in shown
    assert "Paid" in page


def test_refunds_are_shown_and_a_full_refund_says_so(kari: InProcessKasse) -> None:
    reference = approved(kari, 4000)
    assert kari.demo.modify(reference, "capture", 4000).status_code == 200
    assert kari.demo.modify(reference, "refund", 1500).status_code == 200
    part = text(kari.client.get(f"/wallet/receipt/123456/{reference}").text)
    assert kari.demo.modify(reference, "refund", 2500).status_code == 200
    whole = text(kari.client.get(f"/wallet/receipt/123456/{reference}").text)

    assert "40,00 kr" in part and "15,00 kr refunded" in part and "Paid" in part
    assert "40,00 kr refunded" in whole and "Refunded" in whole


def test_a_reservation_released_in_full_is_not_called_paid(kari: InProcessKasse) -> None:
    reference = approved(kari, 3000)
    assert kari.demo.cancel(reference).status_code == 200

    page = text(kari.client.get(f"/wallet/pay/123456/{reference}").text)

    assert "30,00 kr released" in page and "Released" in page and "Paid " not in page
