"""Money and the wire format of the models: camelCase JSON both ways, every field, strict types on the way in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from kasse.sdk import (
    AirlineData,
    Amount,
    Barcode,
    BarcodeFormat,
    BlockedPaymentSource,
    BottomLine,
    CardPassthrough,
    CardType,
    CreatePaymentRequest,
    Currency,
    Customer,
    DynamicOptions,
    IndustryData,
    OrderLine,
    Payment,
    PaymentMethod,
    PaymentMethodType,
    PaymentQrFormat,
    PaymentSources,
    PaymentState,
    ProfileRequest,
    QrFormat,
    QuantityUnit,
    Receipt,
    Shipping,
    ShippingBrand,
    ShippingGroup,
    ShippingOption,
    ShippingType,
    UnitInfo,
    UserFlow,
)
from kasse.sdk._wire import WireFormatError, from_wire, to_wire
from tests.unit.sdk.fakes import payment_body


@pytest.mark.parametrize(
    ("text", "currency", "minor"),
    [("499.00", "NOK", 49900), ("499", "NOK", 49900), ("0.01", "EUR", 1), ("1e3", "DKK", 100000),
     (Decimal("12.5"), "NOK", 1250), (7, "NOK", 700)],
)
def test_from_major_reads_decimal_text_exactly(text: str | Decimal | int, currency: str, minor: int) -> None:
    assert Amount.from_major(text, currency) == Amount(minor, Currency(currency))


@pytest.mark.parametrize("text", ["499.001", "abc", "NaN", "Infinity", "-1", "1.0000000000000000000000000001"])
def test_from_major_refuses_what_is_not_a_whole_number_of_minor_units(text: str) -> None:
    with pytest.raises(ValueError):
        Amount.from_major(text, "NOK")


def test_floats_and_negative_or_fractional_minor_units_are_refused() -> None:
    with pytest.raises(TypeError):
        Amount.from_major(4.99, "NOK")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        Amount(4.99, Currency.NOK)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        Amount(True, Currency.NOK)
    with pytest.raises(ValueError):
        Amount.nok(-1)


def test_amounts_add_and_subtract_only_within_one_currency() -> None:
    assert Amount.nok(400) + Amount.nok(99) == Amount.nok(499)
    assert Amount.nok(499) - Amount.nok(99) == Amount.nok(400)
    assert str(Amount.nok(49900)) == "499.00 NOK" and Amount.eur(5).to_major() == Decimal("0.05")
    with pytest.raises(ValueError, match="NOK and DKK"):
        Amount.nok(1) + Amount.dkk(1)


def test_a_customer_is_exactly_one_identity() -> None:
    with pytest.raises(ValueError):
        Customer()
    with pytest.raises(ValueError):
        Customer(phone_number="4712345678", customer_token="t")


def test_every_create_field_is_sent_under_its_contract_name() -> None:
    request = CreatePaymentRequest(
        amount=Amount.nok(100), reference="order-1001", user_flow=UserFlow.QR,
        payment_method=PaymentMethod(type=PaymentMethodType.WALLET,
                                     blocked_sources=[BlockedPaymentSource.COMMERCIAL_CARDS]),
        customer=Customer(personal_qr="https://qr.vipps.no/p/x"), payment_description="Coffee",
        receipt_url="https://r", return_url="https://back", qr_format=QrFormat(format=PaymentQrFormat.IMAGE_PNG,
                                                                                size=600),
        expires_at=datetime(2030, 1, 1, 13, 0, tzinfo=timezone(timedelta(hours=1))), metadata={"till": "1"},
        profile=ProfileRequest(scope="name phoneNumber"), minimum_user_age=18,
        industry_data=IndustryData(airline_data=AirlineData(agency_invoice_number="1", airline_code="123",
                                                            airline_designator_code="AB", passenger_name="X")),
        shipping=Shipping(dynamic_options=DynamicOptions(callback_url="https://s"), fixed_options=[ShippingGroup(
            type=ShippingType.PICKUP_POINT, brand=ShippingBrand.POSTEN,
            options=[ShippingOption(id="o", amount=Amount.nok(0), name="Pickup", is_default=True)])]),
        card_passthrough=CardPassthrough(psp_reference="p", card_callback_url="https://c",
                                         allowed_card_types=[CardType.VISA_DEBIT]),
    )

    wire = to_wire(request)

    assert wire["paymentMethod"] == {"type": "WALLET", "blockedSources": ["COMMERCIAL_CARDS"]}
    assert wire["qrFormat"] == {"format": "IMAGE/PNG", "size": 600}
    assert wire["expiresAt"] == "2030-01-01T12:00:00Z"
    assert wire["industryData"]["airlineData"]["airlineDesignatorCode"] == "AB"
    assert wire["shipping"]["fixedOptions"][0]["options"][0] == {"id": "o", "amount": {"value": 0, "currency": "NOK"},
                                                                 "name": "Pickup", "isDefault": True}
    assert wire["cardPassthrough"] == {"pspReference": "p", "cardCallbackUrl": "https://c",
                                       "allowedCardTypes": ["VISA_DEBIT"]}
    assert {"customer", "paymentDescription", "receiptUrl", "returnUrl", "metadata", "profile",
            "minimumUserAge"} <= wire.keys()


def test_a_receipt_round_trips_through_its_wire_form() -> None:
    receipt = Receipt(
        order_lines=[OrderLine(name="Apples", id="7", total_amount=3000, total_amount_excluding_tax=2400,
                               total_tax_amount=600, tax_rate=2500, discount=100, is_return=False,
                               unit_info=UnitInfo(unit_price=2000, quantity="1.5", quantity_unit=QuantityUnit.KG))],
        bottom_line=BottomLine(currency=Currency.NOK, pos_id="till-1", receipt_number="42",
                               payment_sources=PaymentSources(card=1000, cash=2000),
                               barcode=Barcode(format=BarcodeFormat.EAN_13, data="7040000000000")),
    )

    wire = to_wire(receipt)

    assert wire["orderLines"][0]["unitInfo"] == {"unitPrice": 2000, "quantity": "1.5", "quantityUnit": "KG"}
    assert wire["bottomLine"]["barcode"] == {"format": "EAN-13", "data": "7040000000000"}
    assert from_wire(Receipt, wire) == Receipt(order_lines=tuple(receipt.order_lines), bottom_line=receipt.bottom_line)


def test_a_payment_is_read_with_its_enums_and_amounts_and_unknown_fields_are_ignored() -> None:
    body = {**payment_body("AUTHORIZED"), "captureGuaranteedUntil": "2030-01-01T00:00:00Z", "metadata": {"a": "b"}}

    payment = from_wire(Payment, body)

    assert payment.state is PaymentState.AUTHORIZED
    assert payment.aggregate.captured_amount == Amount.nok(0)
    assert payment.metadata == {"a": "b"}


@pytest.mark.parametrize(
    ("change", "where"),
    [
        ({"amount": {"currency": "NOK", "value": "49900"}}, "$.amount.value"),
        ({"amount": {"currency": "XYZ", "value": 1}}, "$.amount.currency"),
        ({"state": "CAPTURED"}, "$.state"),
        ({"aggregate": []}, "$.aggregate"),
        ({"profile": {"sub": 7}}, "$.profile.sub"),
    ],
)
def test_a_field_of_the_wrong_type_is_refused_with_its_path(change: dict[str, object], where: str) -> None:
    with pytest.raises(WireFormatError, match=where.replace("$", r"\$")):
        from_wire(Payment, {**payment_body(), **change})


def test_timestamps_are_read_as_aware_datetimes_and_naive_ones_are_not_sent() -> None:
    from kasse.sdk import PaymentEvent

    event = from_wire(PaymentEvent, {"reference": "r", "pspReference": "p", "name": "CREATED", "success": True,
                                     "amount": {"currency": "NOK", "value": 1},
                                     "timestamp": "2023-10-06T10:45:40.3061965Z"})

    assert event.timestamp == datetime(2023, 10, 6, 10, 45, 40, 306196, tzinfo=UTC)
    with pytest.raises(ValueError, match="timezone"):
        to_wire(CreatePaymentRequest(amount=Amount.nok(100), reference="order-1001", user_flow=UserFlow.QR,
                                     expires_at=datetime(2030, 1, 1)))
