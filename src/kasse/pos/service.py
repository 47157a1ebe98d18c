"""The till's use cases over `kasse.sdk`: start a sale, settle it (capture and check), cancel, refund.

Settling is one idempotent function that reads the payment and acts on its state; the webhook receiver and
the poll loop both only make a sale due, so a lost webhook or a restart leaves nothing stranded.
"""

from __future__ import annotations

import asyncio
import logging
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import replace

from kasse.pos.cart import build_cart, kr
from kasse.pos.config import PosConfig
from kasse.pos.confirmations import confirm_sale_quietly
from kasse.pos.end_of_day import LedgerReports
from kasse.pos.ledger_reports import SdkLedgerReports
from kasse.pos.live import Notifier, woken
from kasse.pos.movement import Movement, MovementKind, capture_key, refund_key
from kasse.pos.payment_request import CheckoutError, create_request, order_lines, phone_number, refusal_message
from kasse.pos.refund_rules import check_refund, refund_refusal_message
from kasse.pos.sale import CAPTURE_RETRYING, Outcome, Sale, SaleStatus, expiry_message
from kasse.pos.store import SqlitePosStore
from kasse.sdk import (
    Amount,
    ApiError,
    AsyncClient,
    Currency,
    Customer,
    KasseError,
    LockedError,
    NetworkError,
    NotFoundError,
    PaymentEventName,
    PaymentState,
    ServerError,
    UserFlow,
)

log = logging.getLogger("kasse.pos")
METHODS = ("qr", "scan", "phone")
NOT_FOUND_GRACE = 30.0  # a sale saved just before its create request may not exist on the platform yet
# no clear answer to a create even after the SDK's retries: it may have been done, so read it back first (§4.11)
UNKNOWN_OUTCOME = (NetworkError, ServerError, LockedError)
SETTLED_BY_STATE = {PaymentState.EXPIRED: Outcome.EXPIRED, PaymentState.TERMINATED: Outcome.TERMINATED}


def new_client(config: PosConfig) -> AsyncClient:
    return AsyncClient(client_id=config.client_id, client_secret=config.client_secret,
                       subscription_key=config.subscription_key, merchant_serial_number=config.msn,
                       base_url=config.base_url, system_name="kasse-pos", system_version="0.1.0", timeout=15.0)


class PosService:
    """The till: one sales unit, one POS database, one poll loop."""

    def __init__(self, client: AsyncClient, store: SqlitePosStore, config: PosConfig, *,
                 notifier: Notifier | None = None, now: Callable[[], float] = time.time,
                 reports: LedgerReports | None = None) -> None:
        self.client, self.store, self.config = client, store, config
        self.reports = reports or SdkLedgerReports(client, config.msn)  # the Report API, for the end of day
        self.notifier = notifier or Notifier()
        self.now = now
        self.wake = asyncio.Event()
        self._locks: dict[str, asyncio.Lock] = {}

    # starting a sale ------------------------------------------------------------------------------------------
    async def customer_for(self, method: str, typed: str) -> Customer | None:
        if method == "qr":
            return None
        if method == "phone":
            return Customer(phone_number=phone_number(typed))
        if method != "scan":
            raise CheckoutError(f"Unknown payment method {method!r}.")
        scanned = typed.strip()
        if not scanned:
            raise CheckoutError("Nothing was scanned. Ask the customer to show My QR and scan again.")
        if not self.config.exchange_personal_qr:
            return Customer(personal_qr=scanned)
        try:
            return Customer(phone_number=(await self.client.qr.exchange(scanned)).msisdn)
        except ApiError as err:
            raise CheckoutError(refusal_message(err)) from None

    async def checkout(self, terminal: str, method: str, typed: str = "") -> Sale:
        """Ask for payment of the till's cart by QR on the display, a scanned personal QR or a phone number."""
        async with self._locks.setdefault(f"till:{terminal}", asyncio.Lock()):  # one request at a time per till
            cart = build_cart(self.store.cart(terminal), self.store.products())
            latest = self.store.latest_sale(terminal)
            if latest is not None and latest.status is SaleStatus.PENDING:
                if latest.method == method and latest.total == cart.total:
                    return latest  # the same request twice (a double tap): it is the sale already under way
                raise CheckoutError("A payment is already in progress on this till. Cancel it first.")
            if not cart.lines:
                raise CheckoutError("The cart is empty.")
            customer = await self.customer_for(method, typed)
            return await self.start_sale(terminal, method, cart.total, order_lines(cart), customer,
                                         shown=typed if method == "phone" else "")

    async def start_sale(self, terminal: str, method: str, total: int, lines: list[dict[str, object]],
                         customer: Customer | None, *, shown: str = "", user_flow: UserFlow | None = None,
                         description: str | None = None, return_url: str | None = None,
                         vending: bool = False) -> Sale:
        number = self.store.next_receipt_number()
        reference = f"pos-{re.sub(r'[^A-Za-z0-9]', '', terminal)[:20]}-{number:06d}-{secrets.token_hex(4)}"
        now = self.now()
        sale = Sale(reference=reference, terminal=terminal, receipt_number=number, method=method, total=total,
                    currency=self.config.currency, lines=lines, customer=shown, created_at=now,
                    next_poll_at=now + self.config.first_poll, reserved=total if vending else 0)
        self.store.put_sale(sale)  # first, so a crash after the create below is recovered by polling
        request = create_request(reference=reference, total=total, currency=sale.currency, lines=lines,
                                 terminal=terminal, number=number, customer=customer, user_flow=user_flow,
                                 description=description or f"{self.config.shop_name}, {terminal}",
                                 return_url=return_url.format(reference=reference) if return_url else None)
        try:
            created = await self.client.payments.create(request, idempotency_key=f"create-{reference}")
        except UNKNOWN_OUTCOME as err:  # the poll reads the payment back: settled if it exists, refused if not
            log.warning("creating %s got no clear answer, reading it back: %s", reference, err)
            sale = replace(sale, message="Waiting for the payment platform…")
        except ApiError as err:
            sale = sale.settle(Outcome.REFUSED, message=refusal_message(err))
        else:
            sale = replace(sale, qr_url=created.redirect_url)
        self.store.put_sale(sale)
        self.notifier.changed()
        return sale

    # settling -------------------------------------------------------------------------------------------------
    def make_due(self, reference: str) -> None:
        """Settle this sale as soon as possible (a webhook said something happened)."""
        self.store.reschedule(reference, self.now())
        self.wake.set()

    async def settle(self, reference: str) -> Sale | None:
        """Read the payment and act: capture and check an approval, record a failure, or wait on."""
        lock = self._locks.setdefault(reference, asyncio.Lock())
        async with lock:
            sale = self.store.sale(reference)
            if sale is None or sale.settled:
                return sale
            try:
                settled = await self._settle(sale)
            except NotFoundError:
                if self.now() - sale.created_at < NOT_FOUND_GRACE:
                    return self._wait_on(sale)
                settled = sale.settle(Outcome.REFUSED, message="The payment request never reached the platform.")
            except KasseError as err:
                log.warning("settling %s failed, retrying: %s", reference, err)
                return self._wait_on(sale)
            if settled is None:
                return self._wait_on(sale)
            self.store.put_sale(settled)
            if settled.status is SaleStatus.PAID and settled.method in METHODS:
                self.store.save_cart(settled.terminal, {})
            self.notifier.changed()
            if settled.captured:
                await confirm_sale_quietly(self.client, self.store, reference)
            return settled

    def _wait_on(self, sale: Sale) -> Sale:
        self.store.reschedule(sale.reference, self.now() + self.config.poll_interval)
        return sale

    async def _settle(self, sale: Sale) -> Sale | None:
        payment = await self.client.payments.get(sale.reference)
        if payment.state is PaymentState.CREATED:
            if sale.qr_url is None and payment.redirect_url:  # the create's own answer was lost
                return replace(sale, qr_url=payment.redirect_url, next_poll_at=self.now() + self.config.poll_interval)
            return None
        if payment.state is PaymentState.AUTHORIZED and (sale.awaiting_choice or sale.unchosen):
            # vending: the money is reserved now, and only now may the customer pick; capture the pick
            return replace(sale, awaiting_choice=True, message="Approved. Choose your item.", next_poll_at=None)
        if payment.state is PaymentState.AUTHORIZED:
            return await self._capture_or_retry(sale)
        if payment.state is PaymentState.ABORTED:
            events = await self.client.payments.events(sale.reference)
            declined = any(e.name is PaymentEventName.AUTHORIZED and not e.success for e in events)
            return sale.settle(Outcome.DECLINED if declined else Outcome.REJECTED)
        if payment.state is PaymentState.EXPIRED:
            events = await self.client.payments.events(sale.reference)
            stamps = {e.name: e.timestamp for e in events}
            return sale.settle(Outcome.EXPIRED, message=expiry_message(stamps.get(PaymentEventName.CREATED),
                                                                       stamps.get(PaymentEventName.EXPIRED)))
        return sale.settle(SETTLED_BY_STATE[payment.state])

    async def _capture_or_retry(self, sale: Sale) -> Sale:
        """Capture an approved sale; if the platform fails, say so on the till and try again at the next poll."""
        try:
            return await self.capture(sale, sale.total)
        except KasseError as err:
            log.warning("capturing %s failed, retrying: %s", sale.reference, err)
            return replace(sale, message=CAPTURE_RETRYING, next_poll_at=self.now() + self.config.poll_interval)

    async def capture(self, sale: Sale, amount: int) -> Sale:
        """Capture `amount` and check the response: paid only if the captured total is the sale total."""
        intent = Movement(idempotency_key=capture_key(sale.reference), reference=sale.reference,
                          kind=MovementKind.CAPTURE, amount=amount, noted_at=self.now())
        self.store.add_movement(intent)  # first: a crash after the capture leaves it to confirm, not unknown
        done = await self.client.payments.capture(sale.reference, Amount(amount, Currency(sale.currency)),
                                                  idempotency_key=intent.idempotency_key)
        self.store.add_movement(intent)  # again, in case the end of day dropped it while the capture was under way
        captured = done.aggregate.captured_amount
        in_full = captured == Amount(sale.total, Currency(sale.currency))
        if not in_full:
            log.error("capture of %s came back with %s captured, sale total %s: flagged", sale.reference,
                      captured.value, sale.total)
            return sale.settle(Outcome.CAPTURED_SHORT, captured=captured.value)
        message = None
        if sale.reserved > captured.value:  # vending: release what the chosen item did not cost
            await self.client.payments.cancel(sale.reference, idempotency_key=f"release-{sale.reference}")
            message = f"Paid {kr(captured.value)}; the rest of the reserved {kr(sale.reserved)} was released."
        return sale.settle(Outcome.CAPTURED_IN_FULL, captured=captured.value, message=message)

    async def settle_due(self) -> None:
        due = self.store.due(self.now())
        if due:
            await asyncio.gather(*(self._settle_safely(ref) for ref in due))

    async def _settle_safely(self, reference: str) -> None:
        try:
            await self.settle(reference)
        except Exception:  # the sale stays pending and due again later: nothing is lost
            log.exception("settling %s failed", reference)
            self.store.reschedule(reference, self.now() + self.config.poll_interval)

    def recover(self) -> int:
        """Make every pending sale due now (start-up: webhooks may have come while the POS was down)."""
        pending = self.store.pending()
        for sale in pending:
            self.store.reschedule(sale.reference, self.now())
        self.wake.set()
        return len(pending)

    async def poll(self, stop: asyncio.Event) -> None:
        """Settle due sales until `stop`: first `first_poll` s after a request, then every `poll_interval` s."""
        while not stop.is_set():
            self.wake.clear()
            await self.settle_due()
            next_due = self.store.next_due()
            wait = 1.0 if next_due is None else min(1.0, next_due - self.now())
            await woken(self.wake, stop, timeout=wait)

    # after approval ---------------------------------------------------------------------------------------------
    async def cancel(self, reference: str) -> Sale | None:
        """Stop a pending sale; if the customer approved meanwhile, it is settled instead."""
        sale = self.store.sale(reference)
        if sale is None or sale.settled:
            return sale
        try:
            await self.client.payments.cancel(reference, cancel_transaction_only=True,
                                              idempotency_key=f"cancel-{reference}")
        except ApiError as err:
            log.info("cancelling %s refused (%s); settling instead", reference, err)
        return await self.settle(reference)

    async def refund(self, reference: str, amount: int | None) -> Sale:
        """Refund part or all of a paid sale."""
        sale = self.store.sale(reference)
        if sale is None:
            raise CheckoutError("No such sale.")
        amount = check_refund(sale, amount)
        intent = Movement(idempotency_key=refund_key(reference, sale.refunded, amount), reference=reference,
                          kind=MovementKind.REFUND, amount=amount, noted_at=self.now())
        self.store.add_movement(intent)
        try:
            done = await self.client.payments.refund(reference, Amount(amount, Currency(sale.currency)),
                                                     idempotency_key=intent.idempotency_key)
        except ApiError as err:  # refused: nothing was refunded (a done refund with this key would be replayed)
            self.store.replace_movements([intent.idempotency_key], [])
            raise CheckoutError(refund_refusal_message(err)) from None
        self.store.add_movement(intent)
        sale = replace(sale, refunded=done.aggregate.refunded_amount.value)
        self.store.put_sale(sale)
        self.notifier.changed()
        await confirm_sale_quietly(self.client, self.store, reference)
        return sale
