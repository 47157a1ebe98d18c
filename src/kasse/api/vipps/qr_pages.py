"""Unauthenticated pages a customer's device opens: one-time QR images, the payment page, the landing page."""

from __future__ import annotations

import html

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from kasse.api.context import container
from kasse.api.payment_commands import payment_target_url
from kasse.api.problems import ProblemError
from kasse.domain.money import format_major
from kasse.domain.payment import Payment, is_expired
from kasse.domain.payment_state import PaymentState


def _open_payment(request: Request, token: str) -> Payment:
    c = container(request)
    payment = c.db.read(lambda uow: uow.payments.get_by_token(token))
    if payment is None:
        raise ProblemError(404, "Unknown payment")
    return payment


def _query(request: Request) -> tuple[str, str, int]:
    query = request.query_params
    token, size = query.get("token"), query.get("size", "1024")
    if not token:
        raise ProblemError(400, "token is required", [("token", "required")])
    if not (size.isascii() and size.isdigit()):
        raise ProblemError(400, "size must be between 100 and 2000", [("size", "100..2000")])
    return token, query.get("format", "svg").lower(), int(size)


async def qr_image(request: Request) -> Response:
    # the token rides in the query, as in the real image links, so force approve can take it from there
    token, ext, size = _query(request)
    c = container(request)
    payment = _open_payment(request, token)
    # contract §4.12: the image is gone once the payment expired or was answered
    if payment.state is not PaymentState.CREATED or is_expired(payment, c.clock.now()):
        raise ProblemError(404, "This QR code has expired")
    target = payment_target_url(c.settings.base_url, token)
    headers = {"cache-control": "no-store"}
    if ext == "svg":
        return Response(c.qr.svg(target), media_type="image/svg+xml", headers=headers)
    if ext == "png":
        if not 100 <= size <= 2000:
            raise ProblemError(400, "size must be between 100 and 2000", [("size", "100..2000")])
        return Response(c.qr.png(target, size), media_type="image/png", headers=headers)
    raise ProblemError(400, "format must be svg or png", [("format", "svg or png")])


_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>kasse payment</title>
<style>body{{font-family:system-ui,sans-serif;max-width:28rem;margin:2rem auto;padding:0 1rem;color:#222}}
.card{{border:1px solid #ddd;border-radius:12px;padding:1.25rem}}.amount{{font-size:2rem;font-weight:600}}
.state{{display:inline-block;padding:.2rem .6rem;border-radius:99px;background:#eef;font-size:.85rem}}</style>
</head><body><div class="card"><div>Payment to sales unit {msn}</div><div class="amount">{amount}</div>
<p>{description}</p><p>Reference <code>{reference}</code></p><span class="state" id="state">{state}</span></div>
<p><small>Open this page in the kasse wallet to approve or reject the payment.</small></p></body></html>"""


def _page(payment: Payment) -> HTMLResponse:
    return HTMLResponse(
        _PAGE.format(
            msn=html.escape(payment.msn),
            amount=html.escape(format_major(payment.amount)),
            description=html.escape(str(payment.details.get("paymentDescription", ""))),
            reference=html.escape(payment.reference),
            state=payment.state.value,
        )
    )


async def payment_page(request: Request) -> Response:
    token = request.path_params["token"]
    payment = _open_payment(request, token)
    if container(request).settings.production:
        return _page(payment)
    # outside production the simulated wallet is the app that opens one-time QR links
    return RedirectResponse(f"/wallet/p/{token}", status_code=303)


async def landing_page(request: Request) -> Response:
    token = request.query_params.get("token")
    if not token:
        raise ProblemError(400, "token is required", [("token", "required")])
    payment = _open_payment(request, token)
    if container(request).settings.production:
        return _page(payment)
    return RedirectResponse(f"/wallet/landing?token={token}", status_code=303)


ROUTES = [
    Route("/qr-image/v1", qr_image, methods=["GET"]),
    Route("/p/{token}", payment_page, methods=["GET"]),
    Route("/landing", landing_page, methods=["GET"]),
]
