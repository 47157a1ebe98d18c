"""The QR API's two bridges from older products (contract §3 Q1, Q11).

A one-time QR for a landing-page URL (`POST /qr/v1`): the payment behind the URL's token, while the
customer can still approve it. A MobilePay beacon mapping (`PUT /qr/v1/merchant-callback/mobilepay/{beaconId}`):
a printed MobilePay QR becomes a callback QR of the sales unit whose `merchantQrId` is the beacon id, so
scanning it checks the user in. A beacon belongs to one sales unit: another's mapping is a conflict.
"""

from __future__ import annotations

from kasse.domain.payment import Payment, is_expired
from kasse.domain.payment_state import PaymentState
from kasse.domain.static_qr import MerchantCallbackQr, QrError, QrErrorKind, callback_problems
from kasse.services.ports import Clock, UnitOfWork

INVALID_TOKEN = ("Url", "Supplied landing page token is not valid.")
TIMED_OUT = ("Url", "Payment has already timed out.")


def payment_for_qr(uow: UnitOfWork, clock: Clock, msn: str, token: str | None) -> Payment:
    """Return the payment a landing-page URL's token opens, while it waits for the customer.

    Raises:
        QrError: INVALID for an unknown token, another sales unit's payment, or one already answered or expired.
    """
    payment = uow.payments.get_by_token(token) if token else None
    if payment is None or payment.msn != msn:
        raise QrError(QrErrorKind.INVALID, "Supplied landing page token is not valid", [INVALID_TOKEN])
    if payment.state is not PaymentState.CREATED or is_expired(payment, clock.now()):
        raise QrError(QrErrorKind.INVALID, "Payment has already timed out", [TIMED_OUT])
    return payment


def map_beacon(uow: UnitOfWork, clock: Clock, msn: str, beacon_id: str, location: str) -> MerchantCallbackQr:
    """Map a MobilePay beacon to the sales unit as a callback QR, or change its location description.

    Raises:
        QrError: INVALID id or location; CONFLICT when another sales unit has mapped the beacon.
    """
    problems = [("beaconId" if name == "merchantQrId" else name, reason.replace("merchantQrId", "beaconId"))
                for name, reason in callback_problems(beacon_id, location)]
    if problems:
        raise QrError(QrErrorKind.INVALID, "One or more validation errors occurred.", problems)
    if any(owner != msn for owner in uow.static_qrs.callback_owners(beacon_id)):
        raise QrError(QrErrorKind.CONFLICT, f"The beacon '{beacon_id}' is mapped to another sales unit")
    before = uow.static_qrs.get_callback(msn, beacon_id)
    qr = MerchantCallbackQr(msn, beacon_id, location, before.created_at if before else clock.now())
    uow.static_qrs.save_callback(qr)
    return qr
