"""What the till and its receipts say: refunds in kroner, a refunded sale's status, an unknown result, the time."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from kasse.pos.local_time import iso_time, local_time
from kasse.pos.payment_request import CheckoutError
from kasse.pos.refund_rules import check_refund, refund_refusal_message
from kasse.pos.sale import (
    ANSWERED_BUT_UNKNOWN,
    CAPTURE_RETRYING,
    MESSAGES,
    Outcome,
    Sale,
    SaleStatus,
    expiry_message,
    status_class,
    status_label,
)
from kasse.sdk import ApiError

PAID = Sale(reference="r", terminal="till-1", receipt_number=1, method="phone", total=14000,
            status=SaleStatus.PAID, captured=14000)


def refused(amount: int | None, sale: Sale = PAID) -> str:
    with pytest.raises(CheckoutError) as caught:
        check_refund(sale, amount)
    return caught.value.message


def test_a_refund_too_large_names_the_most_in_kroner() -> None:
    assert refused(14001) == "At most 140,00 kr can be refunded on this sale."
    assert refused(10001, replace(PAID, refunded=4000)) == "At most 100,00 kr can be refunded on this sale."


def test_a_refund_of_nothing_has_its_own_words() -> None:
    assert refused(0) == "Enter an amount above 0."
    assert refused(None) == "Type an amount such as 25,00."
    assert refused(100, replace(PAID, refunded=14000)) == "Nothing is left to refund on this sale."
    assert check_refund(PAID, 14000) == 14000


def test_a_refused_refund_is_worded_as_a_refund() -> None:
    cannot = ApiError(403, title="Forbidden", detail="Refund not possible", error_code="5100")
    other = ApiError(400, title="Bad Request", detail="Something odd.", error_code="9999")

    assert refund_refusal_message(cannot).startswith("The refund was refused: this customer cannot receive refunds")
    assert refund_refusal_message(other) == "The refund was refused: Something odd. Nothing was refunded."
    assert "payment request" not in refund_refusal_message(cannot) + refund_refusal_message(other)


def test_a_refunded_sale_is_not_called_paid() -> None:
    assert (status_label(PAID), status_class(PAID)) == ("Paid", "paid")
    assert status_label(replace(PAID, refunded=4000)) == "Paid, 40,00 kr refunded"
    assert (status_label(replace(PAID, refunded=14000)), status_class(replace(PAID, refunded=14000))) == \
        ("Refunded", "refunded")
    assert status_label(replace(PAID, status=SaleStatus.PENDING, captured=0)) == "Waiting for customer"
    assert status_label(replace(PAID, status=SaleStatus.PENDING, captured=0, message=CAPTURE_RETRYING)) == "Approved"


def test_an_expiry_long_after_the_request_means_the_customer_answered() -> None:
    created = datetime(2026, 3, 14, 12, 0, tzinfo=UTC)

    assert expiry_message(created, created + timedelta(minutes=10)) == MESSAGES[Outcome.EXPIRED]
    assert expiry_message(created, created + timedelta(minutes=11, seconds=1)) == MESSAGES[Outcome.EXPIRED]
    assert expiry_message(created, created + timedelta(hours=1, minutes=2)) == ANSWERED_BUT_UNKNOWN
    assert expiry_message(None, None) == MESSAGES[Outcome.EXPIRED]


def test_sale_times_are_the_shops_local_time() -> None:
    winter = datetime(2026, 1, 15, 12, 5, tzinfo=UTC).timestamp()
    summer = datetime(2026, 7, 15, 12, 5, tzinfo=UTC).timestamp()

    assert local_time(winter, "NOK") == "15.01.2026 13:05"
    assert local_time(summer, "NOK") == "15.07.2026 14:05"
    assert local_time(winter, "EUR") == "15.01.2026 14:05"  # Finland
    assert iso_time(summer, "NOK") == "2026-07-15T14:05+02:00"
