"""Every error class kasse can produce today, provoked on a real server and caught as the SDK types it.

423 (LockedError) and 5xx (ServerError) cannot be provoked on demand; test_retry and test_errors cover them.
"""

from __future__ import annotations

import httpx
import pytest

from kasse.sdk import (
    Amount,
    AuthenticationError,
    BadRequestError,
    Client,
    ConflictError,
    CreatePaymentRequest,
    Customer,
    ExtraDetail,
    NetworkError,
    NotFoundError,
    PaymentState,
    PermissionDeniedError,
    RateLimitedError,
    UserFlow,
)
from tests.harness import DEMO_CREDENTIALS, ServerProcess, free_port
from tests.integration.sdk.conftest import new_merchant, new_reference, sdk_options
from tests.unit.sdk.fakes import FakeClock

pytestmark = pytest.mark.slow


def qr(reference: str, value: int = 100_00) -> CreatePaymentRequest:
    return CreatePaymentRequest(amount=Amount.nok(value), reference=reference, user_flow=UserFlow.QR)


def test_a_refusal_reads_as_one_sentence_with_its_code(client: Client) -> None:
    reference = new_reference()
    client.payments.create(qr(reference))
    client.payments.cancel(reference)

    with pytest.raises(BadRequestError) as raised:
        client.payments.capture(reference, Amount.nok(100))

    assert str(raised.value) == "400 Payment cannot be captured (ErrorCode 6200): payment is TERMINATED"


def test_a_domain_refusal_is_a_bad_request_with_its_error_code(client: Client) -> None:
    with pytest.raises(BadRequestError) as raised:
        client.payments.create(qr(new_reference(), value=50))

    assert raised.value.status == 400
    assert raised.value.error_code == "6010"
    assert raised.value.title == "Amount too small"
    assert raised.value.trace_id and raised.value.trace_id.startswith("00-")


def test_capturing_before_approval_is_refused_with_6080(client: Client) -> None:
    reference = new_reference()
    client.payments.create(qr(reference))

    with pytest.raises(BadRequestError) as raised:
        client.payments.capture(reference, Amount.nok(100_00))

    assert raised.value.error_code == "6080"
    assert raised.value.instance == f"/epayment/v1/payments/{reference}/capture"  # the real path (#12.10)


def test_an_invalid_field_names_the_field_and_has_no_error_code(client: Client) -> None:
    with pytest.raises(BadRequestError) as raised:
        client.payments.create(qr("short"))

    assert raised.value.error_code is None
    assert "reference" in {d.name for d in raised.value.extra_details}


def test_wrong_credentials_are_an_authentication_error(live: ServerProcess, clock: FakeClock) -> None:
    options = {**sdk_options(DEMO_CREDENTIALS), "client_secret": "not-the-secret"}

    with Client(**options, base_url=live.url, sleep=clock.sleep, clock=clock) as client, \
            pytest.raises(AuthenticationError) as raised:
        client.payments.get(new_reference())

    assert raised.value.status == 401


def test_a_merchant_serial_number_of_another_sales_unit_is_permission_denied(live: ServerProcess,
                                                                              clock: FakeClock) -> None:
    options = {**sdk_options(DEMO_CREDENTIALS), "merchant_serial_number": "999999"}

    with Client(**options, base_url=live.url, sleep=clock.sleep, clock=clock) as client, \
            pytest.raises(PermissionDeniedError):
        client.payments.get(new_reference())


def test_push_payments_of_a_sales_unit_without_the_permission_are_denied_with_5080(live: ServerProcess,
                                                                                   clock: FakeClock) -> None:
    creds = new_merchant(live, pushAllowed=False)
    request = CreatePaymentRequest(amount=Amount.nok(100_00), reference=new_reference(),
                                   user_flow=UserFlow.PUSH_MESSAGE, customer=Customer(phone_number="4712345678"))

    with Client(**sdk_options(creds), base_url=live.url, sleep=clock.sleep, clock=clock) as client, \
            pytest.raises(PermissionDeniedError) as raised:
        client.payments.create(request)

    assert raised.value.error_code == "5080"


def test_an_unknown_reference_is_not_found(client: Client) -> None:
    with pytest.raises(NotFoundError) as raised:
        client.payments.get(new_reference())

    assert raised.value.error_code == "5090"


def test_a_taken_reference_is_a_conflict(client: Client) -> None:
    reference = new_reference()
    client.payments.create(qr(reference))

    with pytest.raises(ConflictError) as raised:
        client.payments.create(qr(reference))

    assert raised.value.error_code == "4150"


def test_a_key_reused_for_a_different_capture_is_a_conflict(client: Client) -> None:
    reference = new_reference()
    client.payments.create(qr(reference))
    client.payments.force_approve(reference)
    client.payments.capture(reference, Amount.nok(10_00), idempotency_key=f"{reference}-c")

    with pytest.raises(ConflictError) as raised:
        client.payments.capture(reference, Amount.nok(20_00), idempotency_key=f"{reference}-c")

    assert raised.value.status == 409
    assert client.payments.get(reference).aggregate.captured_amount == Amount.nok(10_00)


def test_the_sixth_capture_in_a_minute_is_rate_limited_after_waiting_as_told(client: Client,
                                                                            clock: FakeClock) -> None:
    reference = new_reference()
    client.payments.create(qr(reference))
    client.payments.force_approve(reference)
    for _ in range(5):
        client.payments.capture(reference, Amount.nok(1_00))

    with pytest.raises(RateLimitedError) as raised:
        client.payments.capture(reference, Amount.nok(1_00))

    assert raised.value.retry_after is not None and 0 < raised.value.retry_after <= 61
    # two waits of Retry-After seconds, on the fake clock: the server's own clock did not move
    assert clock.sleeps == [raised.value.retry_after] * 2
    assert client.payments.get(reference).aggregate.captured_amount == Amount.nok(5_00)


def test_cancelling_a_fully_captured_payment_is_refused_and_changes_nothing(client: Client) -> None:
    reference = new_reference()
    client.payments.create(qr(reference))
    client.payments.force_approve(reference)
    client.payments.capture(reference, Amount.nok(100_00))

    with pytest.raises(BadRequestError) as raised:
        client.payments.cancel(reference)

    assert raised.value.extra_details == (ExtraDetail("ErrorCode", "6040"),)
    assert client.payments.get(reference).state is PaymentState.AUTHORIZED


def test_a_transaction_only_cancel_of_an_approved_payment_is_refused_with_6060(client: Client) -> None:
    reference = new_reference()
    client.payments.create(qr(reference))
    client.payments.force_approve(reference)

    with pytest.raises(BadRequestError) as raised:
        client.payments.cancel(reference, cancel_transaction_only=True)

    assert raised.value.error_code == "6060"
    assert client.payments.get(reference).aggregate.cancelled_amount == Amount.nok(0)


def test_no_server_is_a_network_error_after_the_retries(clock: FakeClock) -> None:
    options = sdk_options(DEMO_CREDENTIALS)

    with Client(**options, base_url=f"http://127.0.0.1:{free_port()}", sleep=clock.sleep, clock=clock) as client, \
            pytest.raises(NetworkError) as raised:
        client.payments.get(new_reference())

    assert isinstance(raised.value.__cause__, httpx.ConnectError)
    assert len(clock.sleeps) == 2  # three attempts at the token


def test_an_expired_token_is_replaced_when_the_server_refuses_it(server: ServerProcess, clock: FakeClock) -> None:
    with Client(**sdk_options(DEMO_CREDENTIALS), base_url=server.url, sleep=clock.sleep, clock=clock) as client:
        reference = new_reference()
        client.payments.create(qr(reference))
        # the server's clock moves two hours; the client's does not, so it still believes its token
        httpx.post(f"{server.url}/_kasse/clock/advance", json={"seconds": 7200}, timeout=10).raise_for_status()

        payment = client.payments.get(reference)

    assert payment.state is PaymentState.EXPIRED
