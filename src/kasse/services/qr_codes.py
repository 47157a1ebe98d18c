"""QR API use cases (contract §6): merchant-redirect and merchant-callback QRs, and the two exchanges.

A redirect QR past its ttl is gone: it is not listed, cannot be read or updated, and its id may be
used again, exactly as if it had been deleted. Exchanges turn what a POS scanned or received into
an MSISDN: a personal QR in either format, or the customerToken of a check-in at this sales unit.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta

from kasse.domain.personal_qr import PersonalQrVersion, parse_personal_qr
from kasse.domain.static_qr import (
    MERCHANT_QR_ID_MAX,
    REDIRECT_ID_MAX,
    MerchantCallbackQr,
    MerchantRedirectQr,
    QrError,
    QrErrorKind,
    callback_problems,
    has_control_characters,
    redirect_problems,
    redirect_url_problems,
)
from kasse.services.ports import Clock, UnitOfWork

INVALID_QR_CODE = ("qrCode", "The complete data contained in the QR code is required.")
MISSING_CUSTOMER = ("customer", "Customer object is required.")


@dataclass(frozen=True, slots=True)
class Exchanged:
    """What an exchange reveals: the MSISDN, the QR version and when the QR was generated (2.0 only)."""

    msisdn: str
    version: PersonalQrVersion | None = None
    timestamp: int | None = None


def _invalid(problems: list[tuple[str, str]]) -> QrError:
    return QrError(QrErrorKind.INVALID, "One or more validation errors occurred.", problems)


def _live_redirect(uow: UnitOfWork, clock: Clock, msn: str, qr_id: str) -> MerchantRedirectQr:
    # no stored id has a control character, and some stores cannot even be asked about one (NUL)
    known = len(qr_id) <= REDIRECT_ID_MAX and not has_control_characters(qr_id)
    qr = uow.static_qrs.get_redirect(msn, qr_id) if known else None
    if qr is None or not qr.is_live(clock.now()):
        raise QrError(QrErrorKind.NOT_FOUND, f"No merchant redirect QR with id '{qr_id}'")
    return qr


def create_redirect(uow: UnitOfWork, clock: Clock, msn: str, qr_id: str, redirect_url: str,
                    ttl: int | None) -> MerchantRedirectQr:
    """Create a redirect QR; `ttl` seconds from now it stops working.

    Raises:
        QrError: INVALID fields, or CONFLICT when a live QR has the id.
    """
    problems = redirect_problems(qr_id, redirect_url, ttl)
    if problems:
        raise _invalid(problems)
    now = clock.now()
    existing = uow.static_qrs.get_redirect(msn, qr_id)
    if existing is not None and existing.is_live(now):
        raise QrError(QrErrorKind.CONFLICT, f"A merchant redirect QR with id '{qr_id}' already exists")
    qr = MerchantRedirectQr(msn, qr_id, redirect_url, now, now + timedelta(seconds=ttl) if ttl else None)
    uow.static_qrs.save_redirect(qr)
    return qr


def get_redirect(uow: UnitOfWork, clock: Clock, msn: str, qr_id: str) -> MerchantRedirectQr:
    """Return a live redirect QR of the sales unit.

    Raises:
        QrError: NOT_FOUND, also once its ttl has run out.
    """
    return _live_redirect(uow, clock, msn, qr_id)


def list_redirects(uow: UnitOfWork, clock: Clock, msn: str) -> list[MerchantRedirectQr]:
    """Return the sales unit's live redirect QRs."""
    now = clock.now()
    return [qr for qr in uow.static_qrs.list_redirects(msn) if qr.is_live(now)]


def update_redirect(uow: UnitOfWork, clock: Clock, msn: str, qr_id: str, redirect_url: str) -> MerchantRedirectQr:
    """Point a redirect QR somewhere else; the printed image stays the same.

    Raises:
        QrError: INVALID url or NOT_FOUND.
    """
    problems = redirect_url_problems(redirect_url)
    if problems:
        raise _invalid(problems)
    changed = replace(_live_redirect(uow, clock, msn, qr_id), redirect_url=redirect_url)
    uow.static_qrs.save_redirect(changed)
    return changed


def delete_redirect(uow: UnitOfWork, clock: Clock, msn: str, qr_id: str) -> None:
    """Kill a redirect QR for good; its id may be used again.

    Raises:
        QrError: NOT_FOUND.
    """
    _live_redirect(uow, clock, msn, qr_id)
    uow.static_qrs.delete_redirect(msn, qr_id)


def put_callback(uow: UnitOfWork, clock: Clock, msn: str, merchant_qr_id: str, location: str) -> MerchantCallbackQr:
    """Create a callback QR, or change its location description (the image stays the same).

    Raises:
        QrError: INVALID id or location.
    """
    problems = callback_problems(merchant_qr_id, location)
    if problems:
        raise _invalid(problems)
    before = uow.static_qrs.get_callback(msn, merchant_qr_id)
    qr = MerchantCallbackQr(msn, merchant_qr_id, location, before.created_at if before else clock.now())
    uow.static_qrs.save_callback(qr)
    return qr


def get_callback(uow: UnitOfWork, msn: str, merchant_qr_id: str) -> MerchantCallbackQr:
    """Return a callback QR of the sales unit.

    Raises:
        QrError: NOT_FOUND.
    """
    known = len(merchant_qr_id) <= MERCHANT_QR_ID_MAX and not has_control_characters(merchant_qr_id)
    qr = uow.static_qrs.get_callback(msn, merchant_qr_id) if known else None
    if qr is None:
        raise QrError(QrErrorKind.NOT_FOUND, f"No merchant callback QR with id '{merchant_qr_id}'")
    return qr


def delete_callback(uow: UnitOfWork, msn: str, merchant_qr_id: str) -> None:
    """Delete a callback QR.

    Raises:
        QrError: NOT_FOUND.
    """
    get_callback(uow, msn, merchant_qr_id)
    uow.static_qrs.delete_callback(msn, merchant_qr_id)


def exchange(uow: UnitOfWork, qr_code: str) -> Exchanged:
    """Return the MSISDN behind a personal QR (contract §5.2): clear text in 1.0, looked up in 2.0.

    Raises:
        QrError: INVALID when the content is no personal QR of a known user.
    """
    qr = parse_personal_qr(qr_code)
    if qr is None:
        raise _invalid([INVALID_QR_CODE])
    if qr.version is PersonalQrVersion.V1:
        return Exchanged(qr.value, qr.version)
    user = uow.users.by_qr_token(qr.value)
    if user is None:
        raise _invalid([INVALID_QR_CODE])
    return Exchanged(user.msisdn, qr.version, int(user.qr_issued_at.timestamp()))


def exchange_customer(uow: UnitOfWork, clock: Clock, msn: str, customer_token: str | None) -> Exchanged:
    """Return the MSISDN behind a check-in's customerToken, while it is valid and for this sales unit.

    Raises:
        QrError: INVALID when the token is missing, unknown, expired or another sales unit's.
    """
    if not customer_token:
        raise _invalid([MISSING_CUSTOMER])
    found = uow.wallet.get_check_in(customer_token)
    if found is None or found.msn != msn or not found.is_valid(clock.now()):
        raise _invalid([("customer.customerToken", "The customerToken is invalid or has expired.")])
    return Exchanged(found.msisdn, timestamp=int(found.created_at.timestamp()))
