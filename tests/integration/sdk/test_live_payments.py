"""Every ePayment method of the SDK against a real `kasse serve` process, sync and async."""

from __future__ import annotations

import asyncio

import pytest

from kasse.sdk import (
    Amount,
    BottomLine,
    Client,
    CreatePaymentRequest,
    Currency,
    Customer,
    CustomerInteraction,
    OrderLine,
    PaymentEventName,
    PaymentQrFormat,
    PaymentState,
    QrFormat,
    Receipt,
    UserFlow,
    WaitTimeoutError,
)
from tests.harness import ServerProcess
from tests.integration.sdk.conftest import async_client, new_reference
from tests.unit.sdk.fakes import FakeClock

pytestmark = pytest.mark.slow
DEMO_PHONE = "4712345678"  # the demo wallet user kasse seeds


def qr_sale(reference: str, total: Amount, **extra: object) -> CreatePaymentRequest:
    return CreatePaymentRequest(amount=total, reference=reference, user_flow=UserFlow.QR,
                                customer_interaction=CustomerInteraction.CUSTOMER_PRESENT, **extra)  # type: ignore[arg-type]


def test_a_qr_sale_is_created_approved_waited_for_captured_and_checked(client: Client, clock: FakeClock) -> None:
    reference, total = new_reference(), Amount.nok(499_00)

    created = client.payments.create(qr_sale(reference, total))
    client.payments.force_approve(reference)
    authorized = client.payments.wait_for(reference, {PaymentState.AUTHORIZED}, timeout=60)
    captured = client.payments.capture(reference, total)

    assert created.reference == reference and created.redirect_url
    assert authorized.state is PaymentState.AUTHORIZED
    assert authorized.aggregate.authorized_amount == total
    assert captured.aggregate.captured_amount == total
    assert clock.sleeps == [5.0]  # the documented first poll, 5 s after the request


def test_get_and_events_read_back_every_field_sent(client: Client) -> None:
    reference = new_reference()
    receipt = Receipt(order_lines=[OrderLine(name="Coffee", id="1", total_amount=4000, total_amount_excluding_tax=3200,
                                             total_tax_amount=800, tax_rate=2500)],
                      bottom_line=BottomLine(currency=Currency.NOK, pos_id="till-1"))

    client.payments.create(qr_sale(reference, Amount.nok(4000), metadata={"till": "1"}, receipt=receipt,
                                   payment_description="Coffee", qr_format=QrFormat(format=PaymentQrFormat.IMAGE_PNG,
                                                                                    size=400)),
                           idempotency_key=f"{reference}-create")
    payment = client.payments.get(reference)
    (event,) = client.payments.events(reference)

    assert payment.state is PaymentState.CREATED and payment.metadata == {"till": "1"}
    assert payment.amount == Amount.nok(4000) and payment.redirect_url
    assert event.name is PaymentEventName.CREATED and event.success
    assert event.idempotency_key == f"{reference}-create"
    assert event.psp_reference == payment.psp_reference


def test_a_push_payment_to_a_phone_number_is_approved_for_that_customer(client: Client) -> None:
    reference = new_reference()
    request = CreatePaymentRequest(amount=Amount.nok(100_00), reference=reference, user_flow=UserFlow.PUSH_MESSAGE,
                                   customer=Customer(phone_number=DEMO_PHONE),
                                   customer_interaction=CustomerInteraction.CUSTOMER_PRESENT)

    created = client.payments.create(request)
    client.payments.force_approve(reference, customer=Customer(phone_number=DEMO_PHONE))

    assert created.redirect_url is None
    assert client.payments.get(reference).state is PaymentState.AUTHORIZED


def test_the_vending_pattern_captures_the_item_and_cancels_the_rest(client: Client) -> None:
    reference = new_reference()
    client.payments.create(qr_sale(reference, Amount.nok(50_00)))
    client.payments.force_approve(reference)

    client.payments.capture(reference, Amount.nok(35_00))
    done = client.payments.cancel(reference)
    refunded = client.payments.refund(reference, Amount.nok(5_00))

    assert done.state is PaymentState.AUTHORIZED
    assert done.aggregate.captured_amount == Amount.nok(35_00)
    assert done.aggregate.cancelled_amount == Amount.nok(15_00)
    assert refunded.aggregate.refunded_amount == Amount.nok(5_00)
    names = [e.name for e in client.payments.events(reference)]
    assert names == [PaymentEventName.CREATED, PaymentEventName.AUTHORIZED, PaymentEventName.CAPTURED,
                     PaymentEventName.CANCELLED, PaymentEventName.REFUNDED]


def test_cancelling_before_approval_terminates_and_wait_for_returns_it(client: Client) -> None:
    reference = new_reference()
    client.payments.create(qr_sale(reference, Amount.nok(100_00)))

    cancelled = client.payments.cancel(reference, cancel_transaction_only=True)
    waited = client.payments.wait_for(reference, {PaymentState.AUTHORIZED}, first_delay=0, timeout=10)

    assert cancelled.state is PaymentState.TERMINATED
    # wanted AUTHORIZED, but TERMINATED is final: waiting longer cannot help
    assert waited.state is PaymentState.TERMINATED


def test_wait_for_gives_up_at_the_timeout_with_the_last_state_seen(client: Client, clock: FakeClock) -> None:
    reference = new_reference()
    client.payments.create(qr_sale(reference, Amount.nok(100_00)))

    with pytest.raises(WaitTimeoutError) as raised:
        client.payments.wait_for(reference, timeout=10, first_delay=5, interval=2)

    assert clock.sleeps == [5, 2, 2, 1]  # reads at 5, 7, 9 and at the deadline
    assert raised.value.payment is not None
    assert raised.value.payment.state is PaymentState.CREATED  # type: ignore[attr-defined]


def test_a_create_repeated_with_its_key_is_answered_as_the_first_and_makes_no_second_payment(client: Client) -> None:
    reference = new_reference()
    request = qr_sale(reference, Amount.nok(100_00))

    first = client.payments.create(request, idempotency_key=f"{reference}-k")
    again = client.payments.create(request, idempotency_key=f"{reference}-k")

    assert again == first
    assert len(client.payments.events(reference)) == 1


def test_the_async_client_runs_the_same_sale(live: ServerProcess, clock: FakeClock) -> None:
    reference = new_reference("async")

    async def sale() -> tuple[PaymentState, Amount, Amount, int]:
        async with async_client(live, clock) as client:
            await client.payments.create(qr_sale(reference, Amount.nok(250_00)))
            await client.payments.force_approve(reference)
            payment = await client.payments.wait_for(reference, {PaymentState.AUTHORIZED}, first_delay=0)
            await client.payments.capture(reference, Amount.nok(200_00))
            await client.payments.refund(reference, Amount.nok(50_00))
            done = await client.payments.cancel(reference)
            events = await client.payments.events(reference)
            return payment.state, done.aggregate.captured_amount, done.aggregate.cancelled_amount, len(events)

    state, captured, cancelled, events = asyncio.run(sale())

    assert (state, captured, cancelled, events) == (PaymentState.AUTHORIZED, Amount.nok(200_00), Amount.nok(50_00), 5)
