"""The landing page of WEB_REDIRECT payments (contract §4.2.3): type a phone number, the request goes there.

A user already signed in to the wallet in this browser pays as themselves, without typing a number. Once
the payment is answered (here or on the phone) the page sends the customer back to the payment's
`returnUrl`, where the merchant shows the outcome: that is how a web shop gets its customer back.
"""

from __future__ import annotations

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from kasse.domain.inbox import WalletError, WalletRefusal
from kasse.domain.payment import Payment
from kasse.domain.payment_state import PaymentState
from kasse.services import wallet
from kasse.wallet.views import COOKIE, current_user, go, render, return_url, wallet_container

router = APIRouter(prefix="/wallet", include_in_schema=False)


def _payment(request: Request, token: str) -> tuple[Payment, str] | None:
    c = wallet_container(request)
    payment = c.db.read(lambda uow: uow.payments.get_by_token(token))
    if payment is None:
        return None
    merchant = c.db.read(lambda uow: uow.merchants.get(payment.msn))
    return payment, merchant.name if merchant else payment.msn


@router.get("/landing")
async def landing(request: Request) -> Response:
    token = request.query_params.get("token", "")
    found = _payment(request, token)
    if found is None:
        return render(request, "message.html", None, status=404, title="Payment not found",
                      text="This payment link is not valid.")
    payment, merchant_name = found
    back = return_url(payment)
    if back and payment.state is not PaymentState.CREATED:  # answered: the merchant's page says how it went
        return RedirectResponse(back, status_code=303)
    return render(request, "landing.html", current_user(request), payment=payment, merchant_name=merchant_name,
                  token=token, sent_to=request.query_params.get("sent"),
                  other=request.query_params.get("other") == "1")


@router.post("/landing/me")
async def pay_as_me(request: Request) -> Response:
    # the wallet user signed in here takes the payment into their own wallet and answers it there
    form = await request.form()
    token = str(form.get("token", ""))
    user = current_user(request)
    if user is None:
        return go(f"/wallet/landing?token={token}")
    c = wallet_container(request)
    try:
        sent = await c.db.write(lambda uow: wallet.send_from_landing(uow, c.clock, token, user.msisdn))
    except WalletError as err:
        return go(f"/wallet/landing?token={token}", err.refusal)
    return RedirectResponse(f"/wallet/pay/{sent.msn}/{sent.reference}", status_code=303)


@router.post("/landing")
async def send(request: Request) -> Response:
    form = await request.form()
    token = str(form.get("token", ""))
    msisdn = "".join(ch for ch in str(form.get("phone", "")) if ch.isdigit())
    if len(msisdn) == 8:  # a Norwegian number typed without its country code
        msisdn = "47" + msisdn
    c = wallet_container(request)
    here = f"/wallet/landing?token={token}"
    try:
        await c.db.write(lambda uow: wallet.send_from_landing(uow, c.clock, token, msisdn))
    except WalletError as err:
        return go(here, err.refusal)
    return RedirectResponse(f"{here}&sent={msisdn}", status_code=303)


@router.post("/landing/open")
async def open_wallet(request: Request) -> Response:
    # "open the app on your phone": in kasse, become that user in this browser
    form = await request.form()
    msisdn = str(form.get("msisdn", ""))
    c = wallet_container(request)
    if c.db.read(lambda uow: uow.users.get(msisdn)) is None:
        return go("/wallet/login", WalletRefusal.UNKNOWN_USER)
    response = RedirectResponse("/wallet", status_code=303)
    response.set_cookie(COOKIE, msisdn, httponly=True, samesite="lax")
    return response
