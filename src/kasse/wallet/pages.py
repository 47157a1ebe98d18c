"""The wallet's screens: log in as a test user, inbox, personal QR, scan, pay, waiting, history, receipts.

Routes translate and delegate to `services.wallet`; forms post and redirect, so every screen also
works without JavaScript. The event stream at /wallet/api/events tells open pages when to refresh.
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import quote

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from kasse.adapters.qr_decode import UnreadableImageError
from kasse.api.request_limits import BODY_RULES
from kasse.domain.inbox import WalletError, WalletRefusal
from kasse.domain.personal_qr import ScanKind
from kasse.domain.receipt import summarize
from kasse.domain.user import User, age_on
from kasse.services import receipts, wallet
from kasse.services.ports import UnitOfWork
from kasse.services.users import personal_qr_contents
from kasse.wallet.live import pending_path, stream
from kasse.wallet.views import COOKIE, current_user, go, login_redirect, render, return_url, wallet_container

router = APIRouter(prefix="/wallet", include_in_schema=False)
MAX_UPLOAD = BODY_RULES["POST", "/wallet/scan"].limit  # the scanner's photo: the one body allowed over 64 KiB


@router.get("/login")
async def login_page(request: Request) -> Response:
    c = wallet_container(request)
    users = c.db.read(lambda uow: uow.users.list())
    today = c.clock.now().date()
    return render(request, "login.html", current_user(request), users=users,
                  ages={u.msisdn: age_on(u.birth_date, today) for u in users},
                  next=request.query_params.get("next", "/wallet"))


def _safe_next(raw: object) -> str:
    # only paths inside the wallet, so the login form cannot be used to send people elsewhere
    text = str(raw or "")
    return text if text.startswith("/wallet") else "/wallet"


@router.post("/login")
async def log_in(request: Request) -> Response:
    form = await request.form()
    c = wallet_container(request)
    msisdn = str(form.get("msisdn", ""))
    if c.db.read(lambda uow: uow.users.get(msisdn)) is None:
        return go("/wallet/login", WalletRefusal.UNKNOWN_USER)
    response = RedirectResponse(_safe_next(form.get("next")), status_code=303)
    response.set_cookie(COOKIE, msisdn, httponly=True, samesite="lax")
    return response


@router.post("/logout")
async def log_out() -> Response:
    response = RedirectResponse("/wallet/login", status_code=303)
    response.delete_cookie(COOKIE)
    return response


@router.get("")
async def home(request: Request) -> Response:
    user = current_user(request)
    if user is None:
        return login_redirect(request)
    c = wallet_container(request)
    items = c.db.read(lambda uow: wallet.entries(uow, user.msisdn, 20))
    sig = c.db.read(lambda uow: uow.wallet.signature(user.msisdn))
    return render(request, "home.html", user, pending=[e for e in items if e.pending],
                  recent=[e for e in items if not e.pending][:3], sig=sig, tab="home")


@router.get("/history")
async def history(request: Request) -> Response:
    user = current_user(request)
    if user is None:
        return login_redirect(request)
    c = wallet_container(request)
    items = c.db.read(lambda uow: wallet.entries(uow, user.msisdn, 200))
    sig = c.db.read(lambda uow: uow.wallet.signature(user.msisdn))
    return render(request, "history.html", user, items=items, sig=sig, tab="history")


@router.get("/qr")
async def my_qr(request: Request) -> Response:
    user = current_user(request)
    if user is None:
        return login_redirect(request)
    version = "1.0" if request.query_params.get("v") == "1" else "2.0"
    content = personal_qr_contents(user)[version]
    c = wallet_container(request)
    svg = c.qr.svg(content, 280).decode()
    # the page follows the wallet: a request the cashier sends after scanning this code opens by itself
    shown = c.db.read(lambda uow: pending_path(uow, user.msisdn))
    sig = c.db.read(lambda uow: uow.wallet.signature(user.msisdn))
    return render(request, "myqr.html", user, content=content, version=version, svg=svg, tab="qr",
                  sig=sig, shown_pending=shown)


@router.get("/scan")
async def scan_page(request: Request) -> Response:
    user = current_user(request)
    if user is None:
        return login_redirect(request)
    return render(request, "scan.html", user, tab="scan")


async def _after_scan(request: Request, user: User, content: str) -> Response:
    c = wallet_container(request)
    try:
        outcome = await c.db.write(lambda uow: wallet.scan(uow, c.clock, c.ids, user, content, c.settings.base_url))
    except WalletError as err:
        return go("/wallet/scan", err.refusal)
    if outcome.kind is ScanKind.MERCHANT_REDIRECT and outcome.redirect_url:
        return RedirectResponse(outcome.redirect_url, status_code=303)
    if outcome.check_in is not None:
        return RedirectResponse(f"/wallet/waiting/{quote(outcome.check_in.token, safe='')}", status_code=303)
    assert outcome.request is not None
    return RedirectResponse(f"/wallet/pay/{outcome.request.msn}/{outcome.request.reference}", status_code=303)


@router.post("/scan")
async def scan(request: Request) -> Response:
    user = current_user(request)
    if user is None:
        return login_redirect(request)
    form = await request.form(max_part_size=MAX_UPLOAD)
    upload = form.get("image")
    content = str(form.get("content") or "").strip()
    if upload is not None and not isinstance(upload, str) and upload.filename:
        try:
            content = wallet_container(request).qr_reader.read(await upload.read())[0]
        except UnreadableImageError:
            return go("/wallet/scan", WalletRefusal.UNREADABLE_IMAGE)
    if not content:
        return go("/wallet/scan", WalletRefusal.UNKNOWN_QR)
    return await _after_scan(request, user, content)


@router.get("/open")
async def open_link(request: Request) -> Response:
    # what the phone does with a kasse QR opened from the camera: hand it to the wallet
    user = current_user(request)
    if user is None:
        return login_redirect(request)
    return await _after_scan(request, user, request.query_params.get("content", ""))


@router.get("/p/{token}")
async def open_payment(token: str, request: Request) -> Response:
    user = current_user(request)
    if user is None:
        return login_redirect(request)
    c = wallet_container(request)
    try:
        found = await c.db.write(lambda uow: wallet.open_by_token(uow, c.clock, user, token))
    except WalletError as err:
        return go("/wallet/scan", err.refusal)
    return RedirectResponse(f"/wallet/pay/{found.msn}/{found.reference}", status_code=303)


def _entry(uow: UnitOfWork, user: User, msn: str, reference: str) -> tuple[wallet.WalletEntry, object]:
    request = uow.wallet.get_request(msn, reference)
    if request is None or request.msisdn != user.msisdn:
        raise WalletError(WalletRefusal.UNKNOWN_PAYMENT)
    return wallet.entry(uow, request), receipts.receipt_of(uow, msn, receipts.EPAYMENT_TYPE, reference)


async def _payment_screen(request: Request, msn: str, reference: str, template: str) -> Response:
    user = current_user(request)
    if user is None:
        return login_redirect(request)
    c = wallet_container(request)
    try:
        item, raw_receipt = c.db.read(lambda uow: _entry(uow, user, msn, reference))
    except WalletError:
        return render(request, "message.html", user, status=404, title="Payment not found",
                      text="This payment is not in your wallet.")
    summary = summarize(raw_receipt) if isinstance(raw_receipt, dict) else None
    seconds_left = max(0, int((item.payment.expires_at - c.clock.now()).total_seconds()))
    sig = c.db.read(lambda uow: uow.wallet.signature(user.msisdn))
    return render(request, template, user, item=item, receipt=summary, seconds_left=seconds_left, sig=sig,
                  sca=request.query_params.get("sca") == "1", tab="home", back=return_url(item.payment))


@router.get("/pay/{msn}/{reference}")
async def pay(msn: str, reference: str, request: Request) -> Response:
    return await _payment_screen(request, msn, reference, "pay.html")


@router.get("/receipt/{msn}/{reference}")
async def receipt(msn: str, reference: str, request: Request) -> Response:
    return await _payment_screen(request, msn, reference, "receipt.html")


@router.post("/pay/{msn}/{reference}/{action}")
async def answer(msn: str, reference: str, action: str, request: Request) -> Response:
    user = current_user(request)
    if user is None:
        return login_redirect(request)
    c = wallet_container(request)
    form = await request.form()
    here = f"/wallet/pay/{msn}/{reference}"

    def job(uow: UnitOfWork) -> object:
        if action == "approve":
            return wallet.approve(uow, c.clock, c.ids, user, msn, reference, sca_confirmed=form.get("sca") == "1")
        return wallet.reject(uow, c.clock, c.ids, user, msn, reference)

    try:
        await c.db.write(job)
    except WalletError as err:
        if err.refusal is WalletRefusal.SCA_REQUIRED:
            return RedirectResponse(f"{here}?sca=1", status_code=303)
        return go(here, err.refusal)
    payment = c.db.read(lambda uow: uow.payments.get(msn, reference))
    back = return_url(payment) if payment is not None else None
    return RedirectResponse(back or here, status_code=303)  # a web shop gets its customer back


@router.get("/waiting/{token}")
async def waiting(token: str, request: Request) -> Response:
    user = current_user(request)
    if user is None:
        return login_redirect(request)
    c = wallet_container(request)
    visit = c.db.read(lambda uow: uow.wallet.get_check_in(token))
    if visit is None or visit.msisdn != user.msisdn:
        return go("/wallet/scan", WalletRefusal.QR_NO_LONGER_VALID)
    arrived = c.db.read(lambda uow: uow.wallet.request_for_check_in(token))
    if arrived is not None:
        return RedirectResponse(f"/wallet/pay/{arrived.msn}/{arrived.reference}", status_code=303)
    merchant = c.db.read(lambda uow: uow.merchants.get(visit.msn))
    now: datetime = c.clock.now()
    return render(request, "waiting.html", user, visit=visit, merchant_name=merchant.name if merchant else visit.msn,
                  seconds_left=max(0, int((visit.expires_at - now).total_seconds())), valid=visit.is_valid(now),
                  sig=c.db.read(lambda uow: uow.wallet.signature(user.msisdn)), tab="scan")


@router.get("/api/events")
async def events(request: Request) -> Response:
    user = current_user(request)
    if user is None:
        return render(request, "message.html", None, status=401, title="Not logged in", text="Log in first.")
    try:
        seconds = float(request.query_params.get("seconds", "25"))
    except ValueError:
        seconds = 25.0
    params = request.query_params
    return stream(request, wallet_container(request), user.msisdn, check_in=params.get("checkIn"),
                  shown_pending=params.get("shown"), seconds=seconds)
