"""`client.payments`: the ePayment API (contract §4) for `Client` and `AsyncClient`.

Writes carry an Idempotency-Key, yours or a generated one, reused on every retry of that call.
"""

from __future__ import annotations

from collections.abc import Iterable

from kasse.sdk import _payment_calls as calls
from kasse.sdk._core import AsyncCore, SyncCore
from kasse.sdk._errors import WaitTimeoutError
from kasse.sdk._money import Amount
from kasse.sdk._payment_models import (
    FINAL_STATES,
    CreatePaymentResponse,
    ModificationResponse,
    Payment,
    PaymentEvent,
    PaymentState,
)
from kasse.sdk._payment_request_models import CreatePaymentRequest, Customer

# contract §4.13: first read 5 s after the request, then every 2 s
FIRST_POLL_DELAY = 5.0
POLL_INTERVAL = 2.0
# contract §4.12: an unanswered payment expires after 10 minutes
DEFAULT_WAIT = 600.0


class Payments:
    """ePayment calls of a `Client`; reach them as `client.payments`."""

    def __init__(self, core: SyncCore) -> None:
        self._core = core

    def create(self, request: CreatePaymentRequest, *, idempotency_key: str | None = None) -> CreatePaymentResponse:
        """Create a payment; for `UserFlow.QR` show `redirect_url` (the QR image) to the customer.

        Example:
            >>> created = client.payments.create(CreatePaymentRequest(
            ...     amount=Amount.nok(499_00), reference="order-1001", user_flow=UserFlow.QR,
            ...     customer_interaction=CustomerInteraction.CUSTOMER_PRESENT))
            >>> created.redirect_url
            'https://.../qr/...'
        """
        return self._core.run(calls.create(request, idempotency_key))

    def get(self, reference: str) -> Payment:
        """Return the payment's state and totals.

        Example:
            >>> client.payments.get("order-1001").state
            <PaymentState.AUTHORIZED: 'AUTHORIZED'>
        """
        return self._core.run(calls.get(reference))

    def events(self, reference: str) -> tuple[PaymentEvent, ...]:
        """Return the payment's event log, oldest first.

        Example:
            >>> [e.name for e in client.payments.events("order-1001")]
            [<PaymentEventName.CREATED: 'CREATED'>, <PaymentEventName.AUTHORIZED: 'AUTHORIZED'>]
        """
        return self._core.run(calls.events(reference))

    def capture(self, reference: str, amount: Amount, *, idempotency_key: str | None = None) -> ModificationResponse:
        """Capture `amount` of an authorized payment; the sale is paid when the returned total says so.

        Example:
            >>> done = client.payments.capture("order-1001", Amount.nok(499_00))
            >>> done.aggregate.captured_amount == Amount.nok(499_00)
            True
        """
        return self._core.run(calls.capture(reference, amount, idempotency_key))

    def refund(self, reference: str, amount: Amount, *, idempotency_key: str | None = None) -> ModificationResponse:
        """Refund `amount` of what was captured.

        Example:
            >>> client.payments.refund("order-1001", Amount.nok(100_00)).aggregate.refunded_amount
            Amount(value=10000, currency=<Currency.NOK: 'NOK'>)
        """
        return self._core.run(calls.refund(reference, amount, idempotency_key))

    def cancel(self, reference: str, *, cancel_transaction_only: bool = False,
               idempotency_key: str | None = None) -> ModificationResponse:
        """Cancel a payment not yet approved, or release the uncaptured rest of an approved one.

        With `cancel_transaction_only=True` an already approved payment is left alone (error 6060).

        Example:
            >>> client.payments.cancel("order-1001").state
            <PaymentState.TERMINATED: 'TERMINATED'>
        """
        return self._core.run(calls.cancel(reference, cancel_transaction_only, idempotency_key))

    def force_approve(self, reference: str, *, customer: Customer | None = None, token: str | None = None) -> None:
        """Approve a payment as the customer would, in a test environment only; never retried.

        Example:
            >>> client.payments.force_approve("order-1001", customer=Customer(phone_number="4712345678"))
        """
        self._core.run(calls.force_approve(reference, customer, token))

    def wait_for(self, reference: str, states: Iterable[PaymentState] = FINAL_STATES, *, timeout: float = DEFAULT_WAIT,
                 first_delay: float = FIRST_POLL_DELAY, interval: float = POLL_INTERVAL) -> Payment:
        """Poll the payment until it is in one of `states` (or in a final state it cannot leave) and return it.

        Reads after `first_delay` seconds, then every `interval`; a POS may pass shorter delays.

        Raises:
            WaitTimeoutError: `timeout` seconds passed first; cancel the payment or keep waiting.

        Example:
            >>> client.payments.wait_for("order-1001", {PaymentState.AUTHORIZED}, timeout=120).state
            <PaymentState.AUTHORIZED: 'AUTHORIZED'>
        """
        poll = calls.Poll(states, self._core.clock, timeout=timeout, first_delay=first_delay, interval=interval)
        payment = None
        while (delay := poll.next_delay()) is not None:
            self._core.sleep(delay)
            payment = self.get(reference)
            if poll.done(payment):
                return payment
        raise WaitTimeoutError(reference, payment)


class AsyncPayments:
    """ePayment calls of an `AsyncClient`; the same methods as `Payments`, awaited."""

    def __init__(self, core: AsyncCore) -> None:
        self._core = core

    async def create(self, request: CreatePaymentRequest, *,
                     idempotency_key: str | None = None) -> CreatePaymentResponse:
        """Create a payment (see `Payments.create`).

        Example:
            >>> created = await client.payments.create(request)
        """
        return await self._core.run(calls.create(request, idempotency_key))

    async def get(self, reference: str) -> Payment:
        """Return the payment's state and totals.

        Example:
            >>> payment = await client.payments.get("order-1001")
        """
        return await self._core.run(calls.get(reference))

    async def events(self, reference: str) -> tuple[PaymentEvent, ...]:
        """Return the payment's event log, oldest first.

        Example:
            >>> log = await client.payments.events("order-1001")
        """
        return await self._core.run(calls.events(reference))

    async def capture(self, reference: str, amount: Amount, *,
                      idempotency_key: str | None = None) -> ModificationResponse:
        """Capture `amount` of an authorized payment (see `Payments.capture`).

        Example:
            >>> done = await client.payments.capture("order-1001", Amount.nok(499_00))
        """
        return await self._core.run(calls.capture(reference, amount, idempotency_key))

    async def refund(self, reference: str, amount: Amount, *,
                     idempotency_key: str | None = None) -> ModificationResponse:
        """Refund `amount` of what was captured.

        Example:
            >>> done = await client.payments.refund("order-1001", Amount.nok(100_00))
        """
        return await self._core.run(calls.refund(reference, amount, idempotency_key))

    async def cancel(self, reference: str, *, cancel_transaction_only: bool = False,
                     idempotency_key: str | None = None) -> ModificationResponse:
        """Cancel the payment or release its uncaptured rest (see `Payments.cancel`).

        Example:
            >>> done = await client.payments.cancel("order-1001")
        """
        return await self._core.run(calls.cancel(reference, cancel_transaction_only, idempotency_key))

    async def force_approve(self, reference: str, *, customer: Customer | None = None,
                            token: str | None = None) -> None:
        """Approve a payment as the customer would, in a test environment only; never retried.

        Example:
            >>> await client.payments.force_approve("order-1001")
        """
        await self._core.run(calls.force_approve(reference, customer, token))

    async def wait_for(self, reference: str, states: Iterable[PaymentState] = FINAL_STATES, *,
                       timeout: float = DEFAULT_WAIT, first_delay: float = FIRST_POLL_DELAY,
                       interval: float = POLL_INTERVAL) -> Payment:
        """Poll until the payment is in one of `states` or final (see `Payments.wait_for`).

        Raises:
            WaitTimeoutError: `timeout` seconds passed first.

        Example:
            >>> payment = await client.payments.wait_for("order-1001", {PaymentState.AUTHORIZED})
        """
        poll = calls.Poll(states, self._core.clock, timeout=timeout, first_delay=first_delay, interval=interval)
        payment = None
        while (delay := poll.next_delay()) is not None:
            await self._core.sleep(delay)
            payment = await self.get(reference)
            if poll.done(payment):
                return payment
        raise WaitTimeoutError(reference, payment)
