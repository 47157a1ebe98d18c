from datetime import datetime, timedelta
from typing import Any

import pytest

from kasse.domain.errors import DomainError, ErrorCode
from kasse.domain.merchant import Merchant
from kasse.domain.money import Currency, Market, Money
from kasse.services.create_rules import LONG_LIVING_MAX, LONG_LIVING_MIN, RULES, check_create
from kasse.services.payment_commands import CreatePayment, Customer, CustomerKind, UserFlow
from tests.fakes import EPOCH, a_create, a_merchant

NOW = EPOCH
PHONE = Customer(CustomerKind.PHONE_NUMBER, "4712345678")
NO_SHOP, DK_SHOP, FI_SHOP = a_merchant(), a_merchant("222222", Market.DK), a_merchant("333333", Market.FI)


def long_living(ahead: timedelta, **changes: Any) -> CreatePayment:
    return a_create(expires_at=NOW + ahead, has_receipt=True, **changes)


# one case per rule: a request that breaks that rule and no other, and the ErrorCode it must get
BROKEN: list[tuple[str, CreatePayment, Merchant, ErrorCode]] = [
    ("currency", a_create(amount=Money(100, Currency.DKK)), NO_SHOP, ErrorCode.INVALID_CURRENCY_FOR_MERCHANT),
    ("minimum", a_create(value=99), NO_SHOP, ErrorCode.AMOUNT_TOO_SMALL),
    ("zero", a_create(value=0), NO_SHOP, ErrorCode.AMOUNT_TOO_SMALL),
    ("dkk-zero", a_create(amount=Money(0, Currency.DKK)), DK_SHOP, ErrorCode.AMOUNT_TOO_SMALL),
    ("eur-zero", a_create(amount=Money(0, Currency.EUR)), FI_SHOP, ErrorCode.AMOUNT_TOO_SMALL),
    ("nok-at-a-danish-unit", a_create(), DK_SHOP, ErrorCode.INVALID_CURRENCY_FOR_MERCHANT),
    ("method", a_create(payment_method="CARD"), NO_SHOP, ErrorCode.INVALID_PAYMENT_METHOD_TYPE),
    ("blocked-sources", a_create(blocked_sources=True), NO_SHOP, ErrorCode.BLOCKED_SOURCES_NOT_APPLICABLE),
    ("metadata-entries", a_create(wire={"metadata": {str(i): "v" for i in range(6)}}), NO_SHOP,
     ErrorCode.METADATA_CAPACITY_EXCEEDED),
    ("metadata-key", a_create(wire={"metadata": {"k" * 101: "v"}}), NO_SHOP, ErrorCode.METADATA_KEY_TOO_LONG),
    ("metadata-value", a_create(wire={"metadata": {"k": "v" * 501}}), NO_SHOP, ErrorCode.METADATA_VALUE_TOO_LONG),
    ("return-url", a_create(wire={"returnUrl": "http://shop.example/back"}), NO_SHOP, ErrorCode.INVALID_URL),
    ("receipt-url", a_create(wire={"receiptUrl": "javascript:alert(1)"}), NO_SHOP, ErrorCode.INVALID_URL),
    ("script-return-url", a_create(wire={"returnUrl": "javascript:alert(1)"}), NO_SHOP, ErrorCode.INVALID_URL),
    ("http-receipt-url", a_create(wire={"receiptUrl": "http://shop.example/r"}), NO_SHOP, ErrorCode.INVALID_URL),
    ("push-customer", a_create(user_flow=UserFlow.PUSH_MESSAGE), NO_SHOP, ErrorCode.MISSING_REQUIRED_PARAMETER),
    ("web-return-url", a_create(user_flow=UserFlow.WEB_REDIRECT), NO_SHOP, ErrorCode.MISSING_REQUIRED_PARAMETER),
    ("push-allowed", a_create(user_flow=UserFlow.PUSH_MESSAGE, customer=PHONE), a_merchant(push_allowed=False),
     ErrorCode.PUSH_MESSAGE_NOT_ALLOWED),
    ("scope", a_create(scopes=("name", "shoeSize")), NO_SHOP, ErrorCode.INVALID_SCOPE),
    ("nin", a_create(scopes=("name", "nin")), NO_SHOP, ErrorCode.ILLEGAL_SCOPE),
    ("long-living", long_living(timedelta(hours=1)), a_merchant(long_living_allowed=False),
     ErrorCode.LONG_LIVING_NOT_ALLOWED),
    ("receipt", a_create(expires_at=NOW + timedelta(hours=1)), NO_SHOP, ErrorCode.LONG_LIVING_REQUIRES_RECEIPT),
    ("too-soon", long_living(LONG_LIVING_MIN - timedelta(seconds=1)), NO_SHOP, ErrorCode.EXPIRATION_TOO_SOON),
    ("too-late", long_living(LONG_LIVING_MAX + timedelta(seconds=1)), NO_SHOP, ErrorCode.EXPIRATION_TOO_LATE),
]

ALLOWED: list[tuple[str, CreatePayment, Merchant]] = [
    ("plain-qr", a_create(), NO_SHOP),
    ("nok-minimum", a_create(value=100), NO_SHOP),
    ("dkk-minimum", a_create(amount=Money(1, Currency.DKK), blocked_sources=True), DK_SHOP),
    ("push-with-customer", a_create(user_flow=UserFlow.PUSH_MESSAGE, customer=PHONE), NO_SHOP),
    ("eur-minimum", a_create(amount=Money(1, Currency.EUR)), FI_SHOP),
    ("loopback-http-return-url", a_create(wire={"returnUrl": "http://127.0.0.1:8080/back"}), NO_SHOP),
    ("localhost-return-url", a_create(wire={"returnUrl": "http://localhost/back"}), NO_SHOP),
    ("app-scheme-return-url", a_create(wire={"returnUrl": "shopapp://order/1"}), NO_SHOP),
    ("web-with-return-url", a_create(user_flow=UserFlow.WEB_REDIRECT, return_url="https://shop.example/back",
                                     wire={"returnUrl": "https://shop.example/back"}), NO_SHOP),
    ("full-metadata", a_create(wire={"metadata": {f"{i}" * 100: "v" * 500 for i in range(5)}}), NO_SHOP),
    ("known-scopes", a_create(scopes=("name", "email", "phoneNumber")), NO_SHOP),
    ("ten-minutes-ahead", long_living(LONG_LIVING_MIN), NO_SHOP),
    ("sixty-days-ahead", long_living(LONG_LIVING_MAX), NO_SHOP),
]


def broken_rules(cmd: CreatePayment, merchant: Merchant, now: datetime) -> list[int]:
    return [i for i, (broken, _, _) in enumerate(RULES) if broken(cmd, merchant, now)]


@pytest.mark.parametrize(("cmd", "merchant", "code"), [c[1:] for c in BROKEN], ids=[c[0] for c in BROKEN])
def test_a_request_breaking_one_rule_gets_that_rules_error_code(
    cmd: CreatePayment, merchant: Merchant, code: ErrorCode
) -> None:
    [index] = broken_rules(cmd, merchant, NOW)

    with pytest.raises(DomainError) as refused:
        check_create(cmd, merchant, NOW)

    assert RULES[index][1] is code
    assert refused.value.code is code
    assert refused.value.detail == RULES[index][2]


def test_every_rule_has_a_case_that_breaks_it() -> None:
    covered = {i for _, cmd, merchant, _ in BROKEN for i in broken_rules(cmd, merchant, NOW)}

    assert covered == set(range(len(RULES)))


@pytest.mark.parametrize(("cmd", "merchant"), [c[1:] for c in ALLOWED], ids=[c[0] for c in ALLOWED])
def test_a_request_within_every_rule_passes(cmd: CreatePayment, merchant: Merchant) -> None:
    check_create(cmd, merchant, NOW)


def test_the_first_broken_rule_answers() -> None:
    cmd = a_create(amount=Money(0, Currency.DKK), payment_method="CARD")

    with pytest.raises(DomainError) as refused:
        check_create(cmd, NO_SHOP, NOW)

    assert refused.value.code is ErrorCode.INVALID_CURRENCY_FOR_MERCHANT
