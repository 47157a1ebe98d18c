"""Whom a create request pushes the payment to (contract §4.2.1, §4.10.2), and putting it in that wallet.

`phoneNumber` must name a user who may pay this sales unit, else 7010; `personalQr` must be a
personal QR of a known user, else 4060; `customerToken` must be a check-in at this sales unit no older
than 15 minutes, else 4050. A user too young for `minimumUserAge`, or of another market, is "not found"
(7010): the API never says why.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from kasse.domain.errors import DomainError, ErrorCode
from kasse.domain.inbox import PaymentRequest, RequestSource
from kasse.domain.merchant import Merchant
from kasse.domain.payment import Payment
from kasse.domain.personal_qr import PersonalQrVersion, parse_personal_qr
from kasse.domain.user import User, may_pay, scheduled_action
from kasse.services.payment_commands import CreatePayment, CustomerKind
from kasse.services.ports import UnitOfWork


def _by_phone(uow: UnitOfWork, value: str, msn: str, now: datetime) -> tuple[User | None, str | None]:
    return uow.users.get(value), None


def user_of_personal_qr(uow: UnitOfWork, content: str) -> User | None:
    """Return the user a personal QR names, in either format, or None."""
    qr = parse_personal_qr(content)
    if qr is None:
        return None
    lookup = uow.users.get if qr.version is PersonalQrVersion.V1 else uow.users.by_qr_token
    return lookup(qr.value)


def _by_personal_qr(uow: UnitOfWork, value: str, msn: str, now: datetime) -> tuple[User | None, str | None]:
    user = user_of_personal_qr(uow, value)
    if user is None:
        raise DomainError(ErrorCode.INVALID_PERSONAL_QR, "personalQr is not the personal QR of a known customer")
    return user, None


def _by_token(uow: UnitOfWork, value: str, msn: str, now: datetime) -> tuple[User | None, str | None]:
    found = uow.wallet.get_check_in(value)
    if found is None or found.msn != msn or not found.is_valid(now):
        detail = "customerToken is unknown, expired or for another sales unit"
        raise DomainError(ErrorCode.INVALID_CUSTOMER_TOKEN, detail)
    return uow.users.get(found.msisdn), value


_RESOLVERS: dict[CustomerKind, Callable[[UnitOfWork, str, str, datetime], tuple[User | None, str | None]]] = {
    CustomerKind.PHONE_NUMBER: _by_phone,
    CustomerKind.PERSONAL_QR: _by_personal_qr,
    CustomerKind.CUSTOMER_TOKEN: _by_token,
}


def resolve_customer(
    uow: UnitOfWork, merchant: Merchant, cmd: CreatePayment, now: datetime
) -> tuple[User, str | None] | None:
    """Return the user a create request names (with the check-in token it came through), or None if none.

    Raises:
        DomainError: 4050, 4060 or 7010 as the module docstring says.
    """
    if cmd.customer is None:
        return None
    user, check_in_token = _RESOLVERS[cmd.customer.kind](uow, cmd.customer.value, merchant.msn, now)
    minimum_age = cmd.wire.get("minimumUserAge")
    if user is None or not may_pay(user, merchant.market, minimum_age, now.date()):
        raise DomainError(ErrorCode.CUSTOMER_NOT_FOUND, "Customer not found")
    return user, check_in_token


def deliver(uow: UnitOfWork, payment: Payment, user: User, source: RequestSource, at: datetime,
            check_in_token: str | None = None) -> PaymentRequest:
    """Put a payment into the user's wallet, with whatever the user's behaviour schedules for it."""
    plan = scheduled_action(user, at)
    request = PaymentRequest(
        msn=payment.msn,
        reference=payment.reference,
        msisdn=user.msisdn,
        source=source,
        arrived_at=at,
        check_in_token=check_in_token,
        due_action=plan[0] if plan else None,
        due_at=plan[1] if plan else None,
    )
    uow.wallet.add_request(request)
    return request


def push_to_customer(uow: UnitOfWork, payment: Payment, customer: tuple[User, str | None] | None,
                     at: datetime) -> None:
    """Deliver a just-created payment to the wallet its create request named, if it named one."""
    if customer is None:
        return
    user, check_in_token = customer
    source = RequestSource.CHECK_IN if check_in_token else RequestSource.PUSH
    deliver(uow, payment, user, source, at, check_in_token)
