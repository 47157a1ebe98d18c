"""The simulated customer's side: scanning, opening a payment, approving, rejecting, and behaviours.

A payment reaches a wallet by push (see `customers`), by the user scanning its one-time QR, or by the
landing page; from then on only that user may answer it. Scanning a callback QR checks the user in
and queues `user.checked-in.v1` in the same transaction. Behaviours answer due requests by
themselves, so tests run with no person at the screen.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime

from kasse.domain.inbox import Answer, PaymentRequest, RequestSource, WalletError, WalletRefusal
from kasse.domain.magic_amounts import AmountOutcome
from kasse.domain.money import Money
from kasse.domain.payment import Payment
from kasse.domain.payment_state import PaymentState
from kasse.domain.personal_qr import ScanKind, Scanned, classify
from kasse.domain.static_qr import CheckIn, QrError, check_in
from kasse.domain.user import User, WalletAction, age_on
from kasse.services import payments, qr_codes
from kasse.services.customers import deliver
from kasse.services.ports import Clock, Ids, UnitOfWork
from kasse.services.recording import record_check_in

DUE_BATCH = 200


@dataclass(frozen=True, slots=True)
class ScanOutcome:
    """Where a scan leads: a payment to answer, a check-in to wait at, or a merchant page to open."""

    kind: ScanKind
    request: PaymentRequest | None = None
    check_in: CheckIn | None = None
    redirect_url: str | None = None


def user_of(uow: UnitOfWork, msisdn: str) -> User:
    """Return the wallet user.

    Raises:
        WalletError: UNKNOWN_USER.
    """
    user = uow.users.get(msisdn)
    if user is None:
        raise WalletError(WalletRefusal.UNKNOWN_USER)
    return user


def _claim(uow: UnitOfWork, clock: Clock, user: User, payment: Payment, source: RequestSource) -> PaymentRequest:
    found = uow.wallet.get_request(payment.msn, payment.reference)
    if found is not None:
        if found.msisdn != user.msisdn:
            raise WalletError(WalletRefusal.NOT_YOURS)
        return found
    return deliver(uow, payment, user, source, clock.now())


def open_by_token(uow: UnitOfWork, clock: Clock, user: User, token: str,
                  source: RequestSource = RequestSource.QR) -> PaymentRequest:
    """Bring the payment of a one-time QR or landing link into the user's wallet.

    Raises:
        WalletError: UNKNOWN_PAYMENT, or NOT_YOURS when another user has it.
    """
    payment = uow.payments.get_by_token(token)
    if payment is None:
        raise WalletError(WalletRefusal.UNKNOWN_PAYMENT)
    return _claim(uow, clock, user, payment, source)


def _scan_payment(uow: UnitOfWork, clock: Clock, ids: Ids, user: User, scanned: Scanned) -> ScanOutcome:
    return ScanOutcome(scanned.kind, request=open_by_token(uow, clock, user, scanned.parts[0]))


def _scan_redirect(uow: UnitOfWork, clock: Clock, ids: Ids, user: User, scanned: Scanned) -> ScanOutcome:
    msn, qr_id = scanned.parts
    try:
        qr = qr_codes.get_redirect(uow, clock, msn, qr_id)
    except QrError:
        raise WalletError(WalletRefusal.QR_NO_LONGER_VALID) from None
    return ScanOutcome(scanned.kind, redirect_url=qr.redirect_url)


def _scan_callback(uow: UnitOfWork, clock: Clock, ids: Ids, user: User, scanned: Scanned) -> ScanOutcome:
    msn, qr_id = scanned.parts
    qr = uow.static_qrs.get_callback(msn, qr_id)
    if qr is None:
        raise WalletError(WalletRefusal.QR_NO_LONGER_VALID)
    now = clock.now()
    visit = check_in(ids.token(), user.msisdn, qr, now)
    uow.wallet.add_check_in(visit)
    record_check_in(uow, msn, visit.webhook_payload(), now)
    return ScanOutcome(scanned.kind, check_in=visit)


def _refuse(refusal: WalletRefusal) -> Callable[[UnitOfWork, Clock, Ids, User, Scanned], ScanOutcome]:
    def refuse(uow: UnitOfWork, clock: Clock, ids: Ids, user: User, scanned: Scanned) -> ScanOutcome:
        raise WalletError(refusal)

    return refuse


_SCANS: dict[ScanKind, Callable[[UnitOfWork, Clock, Ids, User, Scanned], ScanOutcome]] = {
    ScanKind.PAYMENT: _scan_payment,
    ScanKind.MERCHANT_REDIRECT: _scan_redirect,
    ScanKind.MERCHANT_CALLBACK: _scan_callback,
    ScanKind.PERSONAL: _refuse(WalletRefusal.PERSONAL_QR),
    ScanKind.UNKNOWN: _refuse(WalletRefusal.UNKNOWN_QR),
}


def scan(uow: UnitOfWork, clock: Clock, ids: Ids, user: User, content: str, base_url: str) -> ScanOutcome:
    """Act on scanned QR content as the wallet app would.

    Raises:
        WalletError: the content is not a usable QR (unknown, personal, deleted, expired, someone else's).
    """
    scanned = classify(content, base_url)
    return _SCANS[scanned.kind](uow, clock, ids, user, scanned)


def send_from_landing(uow: UnitOfWork, clock: Clock, token: str, msisdn: str) -> PaymentRequest:
    """Send a landing-page payment to the wallet of the phone number typed there.

    Raises:
        WalletError: UNKNOWN_USER, UNKNOWN_PAYMENT or NOT_YOURS.
    """
    return open_by_token(uow, clock, user_of(uow, msisdn), token, RequestSource.LANDING)


def _answerable(uow: UnitOfWork, clock: Clock, user: User, msn: str, reference: str) -> tuple[PaymentRequest, Payment]:
    request = uow.wallet.get_request(msn, reference)
    payment = uow.payments.get(msn, reference)
    if request is None or payment is None:
        raise WalletError(WalletRefusal.UNKNOWN_PAYMENT)
    if request.msisdn != user.msisdn:
        raise WalletError(WalletRefusal.NOT_YOURS)
    if request.answer is not None:
        raise WalletError(WalletRefusal.ALREADY_ANSWERED)
    if payment.state is not PaymentState.CREATED or clock.now() >= payment.expires_at:
        raise WalletError(WalletRefusal.NOT_WAITING)
    return request, payment


def _check_eligible(uow: UnitOfWork, user: User, payment: Payment, today: datetime) -> None:
    merchant = uow.merchants.get(payment.msn)
    if merchant is not None and merchant.market is not user.market:
        raise WalletError(WalletRefusal.WRONG_MARKET)
    minimum = payment.details.get("minimumUserAge")
    if minimum is not None and age_on(user.birth_date, today.date()) < minimum:
        raise WalletError(WalletRefusal.TOO_YOUNG)


# what the payment's state after an approval says about the answer the user gave
_ANSWER_OF_STATE: dict[PaymentState, Answer] = {
    PaymentState.AUTHORIZED: Answer.APPROVED,
    PaymentState.ABORTED: Answer.DECLINED,
    PaymentState.CREATED: Answer.PROCESSING,
}


def approve(uow: UnitOfWork, clock: Clock, ids: Ids, user: User, msn: str, reference: str, *,
            sca_confirmed: bool = False) -> Payment:
    """Approve a payment in the user's wallet; a magic amount may decline it or leave it processing.

    Raises:
        WalletError: not this user's, answered, no longer waiting, too young, or BankID confirmation needed.
    """
    request, payment = _answerable(uow, clock, user, msn, reference)
    _check_eligible(uow, user, payment, clock.now())
    magic = payments.approval_magic(payment)
    if magic is not None and magic.outcome is AmountOutcome.SCA_REQUIRED and not sca_confirmed:
        raise WalletError(WalletRefusal.SCA_REQUIRED)
    after = payments.approve_payment(uow, clock, ids, payment)
    answer = _ANSWER_OF_STATE[after.state]
    note = magic.reason if magic is not None and answer is not Answer.APPROVED else None
    uow.wallet.update_request(replace(request, answer=answer, note=note, due_action=None, due_at=None))
    return after


def reject(uow: UnitOfWork, clock: Clock, ids: Ids, user: User, msn: str, reference: str) -> Payment:
    """Reject a payment in the user's wallet: it becomes ABORTED.

    Raises:
        WalletError: not this user's, answered, or no longer waiting.
    """
    request, payment = _answerable(uow, clock, user, msn, reference)
    after = payments.reject_payment(uow, clock, ids, payment)
    uow.wallet.update_request(replace(request, answer=Answer.REJECTED, due_action=None, due_at=None))
    return after


def _act(uow: UnitOfWork, clock: Clock, ids: Ids, request: PaymentRequest) -> None:
    user = user_of(uow, request.msisdn)
    if request.due_action is WalletAction.APPROVE:
        approve(uow, clock, ids, user, request.msn, request.reference, sca_confirmed=True)
    else:
        reject(uow, clock, ids, user, request.msn, request.reference)


def apply_due_behaviours(uow: UnitOfWork, clock: Clock, ids: Ids, limit: int = DUE_BATCH) -> int:
    """Carry out every scheduled approval or rejection that is due; return how many were acted on."""
    due = uow.wallet.due_requests(clock.now(), limit)
    for request in due:
        try:
            _act(uow, clock, ids, request)
        except WalletError as refused:
            # the request is answered, expired or cancelled meanwhile: the schedule is void, say why
            uow.wallet.update_request(replace(request, due_action=None, due_at=None, note=refused.detail))
    return len(due)


@dataclass(frozen=True, slots=True)
class WalletEntry:
    """A wallet entry with its payment and the sales unit's name, for the wallet's screens."""

    request: PaymentRequest
    payment: Payment
    merchant_name: str

    @property
    def pending(self) -> bool:
        """Tell whether the user can still answer it."""
        return self.request.answer is None and self.payment.state is PaymentState.CREATED

    @property
    def charged(self) -> Money:
        """What the user's card was charged, as the app shows it: the captured amount once there is one.

        A vending machine reserves its top price and captures the chosen item: the user paid that, not
        the reservation. Until a capture the reserved (or requested) amount is what there is to show.
        """
        p = self.payment
        return Money(p.captured, p.amount.currency) if p.captured else p.amount

    @property
    def released(self) -> Money | None:
        """The part of an approved reservation the shop let go (cancelled), if any."""
        p = self.payment
        return Money(p.cancelled, p.amount.currency) if p.authorized and p.cancelled else None

    @property
    def refunded(self) -> Money | None:
        """What the shop paid back, if anything."""
        p = self.payment
        return Money(p.refunded, p.amount.currency) if p.refunded else None


def entry(uow: UnitOfWork, request: PaymentRequest) -> WalletEntry:
    """Return the entry of a request; its payment was created with it and is never deleted."""
    payment = payments.load(uow, request.msn, request.reference)
    merchant = uow.merchants.get(request.msn)
    return WalletEntry(request, payment, merchant.name if merchant else request.msn)


def entries(uow: UnitOfWork, msisdn: str, limit: int = 50) -> list[WalletEntry]:
    """Return the user's entries, newest first."""
    return [entry(uow, r) for r in uow.wallet.requests_of(msisdn, limit)]


def newest_pending(uow: UnitOfWork, msisdn: str) -> PaymentRequest | None:
    """Return the user's newest request still waiting for an answer (what a cashier just sent), if any."""
    return next((e.request for e in entries(uow, msisdn, 20) if e.pending), None)
