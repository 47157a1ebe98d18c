"""`/console/units`: sales units with their credentials and settlement, test users with their QR, magic amounts.

Secrets are stored hashed (domain/merchant.py), so the page can reveal only what is public anyway: the demo
unit's known credentials in test mode. A unit made here shows its secret and keys once, in the answer to
the form. The magic amounts come from their one table (domain/magic_amounts.py); the wallet behaviours
are set through the same use case as `/_kasse/users` and `kasse user`.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from kasse.console.form_posts import FormError, back, int_field, notice_of, text_field
from kasse.console.views import console_container, render
from kasse.domain.ledger import Ledger
from kasse.domain.magic_amounts import MAGIC_AMOUNTS
from kasse.domain.merchant import Merchant, MerchantFieldError
from kasse.domain.money import Market
from kasse.domain.personal_qr import v2_content
from kasse.domain.user import Behaviour, User
from kasse.services.merchants import MerchantExistsError, MerchantSpec, NewMerchant, create_merchant
from kasse.services.ports import UnitOfWork
from kasse.services.users import MAX_BEHAVIOUR_DELAY, UserError, set_behaviour
from kasse.settings import DEMO

router = APIRouter(include_in_schema=False)
PAGE = "/console/units"
MAX_USERS = 200  # shown, each with its QR
QR_SIZE = 132
BEHAVIOURS = {
    Behaviour.MANUAL: "a person answers in the wallet",
    Behaviour.AUTO_APPROVE: "approves by itself after the delay",
    Behaviour.ALWAYS_REJECT: "rejects every request at once",
    Behaviour.NEVER_ANSWER: "never answers, so requests expire",
}


@dataclass(frozen=True, slots=True)
class UnitView:
    """A sales unit as listed: its ledger's settlement terms, and its secrets if they are public (demo)."""

    merchant: Merchant
    ledger: Ledger | None
    known_secret: str | None
    known_key: str | None


def _unit(uow: UnitOfWork, merchant: Merchant, production: bool) -> UnitView:
    # the demo unit's credentials are in the README; shown only while they still open it
    demo = (not production and merchant.msn == DEMO.msn and merchant.client_id == DEMO.client_id
            and merchant.secret_matches(DEMO.client_secret) and merchant.owns_key(DEMO.subscription_key))
    return UnitView(merchant, uow.ledgers.for_msn(merchant.msn), DEMO.client_secret if demo else None,
                    DEMO.subscription_key if demo else None)


def _page(request: Request, status: int = 200, error: str | None = None, made: NewMerchant | None = None) -> Response:
    c = console_container(request)
    production = c.settings.production

    def read(uow: UnitOfWork) -> tuple[list[UnitView], list[User]]:
        return [_unit(uow, m, production) for m in uow.merchants.list()], list(uow.users.list())[:MAX_USERS]

    units, users = c.db.read(read)
    qrs = {u.msisdn: c.qr.svg(v2_content(u.qr_token), QR_SIZE).decode() for u in users}
    return render(request, "units.html", "units", status=status, error=error, notice=notice_of(request), units=units,
                  users=users, qrs=qrs, made=made, markets=list(Market), behaviours=BEHAVIOURS,
                  magic=sorted(MAGIC_AMOUNTS.items()), max_delay=MAX_BEHAVIOUR_DELAY)


@router.get(PAGE)
async def units_page(request: Request) -> Response:
    """Every sales unit and test user, and the magic amounts."""
    return _page(request)


@router.post(PAGE)
async def create_unit(request: Request) -> Response:
    """Create a sales unit; its secret and keys are on this answer only (stored hashed)."""
    c = console_container(request)
    form = await request.form()
    try:
        name = text_field(form, "name", 100)
        market = text_field(form, "market", 2)
        if market not in {m.value for m in Market}:
            raise FormError("market", f"market must be one of {', '.join(m.value for m in Market)}")
        msn = text_field(form, "msn", 10, required=False) or None
        spec = MerchantSpec(name=name, market=Market(market), msn=msn)
        made = await c.db.write(lambda uow: create_merchant(uow, c.clock, c.ids, spec))
    except (FormError, MerchantFieldError, MerchantExistsError) as exc:
        return _page(request, 400, f"No sales unit created: {exc}")
    return _page(request, 201, made=made)


@router.post(PAGE + "/users/{msisdn}/behaviour")
async def change_behaviour(request: Request, msisdn: str) -> Response:
    """Choose how a test user's wallet answers payment requests when nobody is at the screen."""
    c = console_container(request)
    form = await request.form()
    try:
        raw = text_field(form, "behaviour", 20)
        if raw not in {b.value for b in Behaviour}:
            raise FormError("behaviour", f"behaviour must be one of {', '.join(b.value for b in Behaviour)}")
        delay = int_field(form, "delaySeconds", 0, MAX_BEHAVIOUR_DELAY) or 0
        user = await c.db.write(lambda uow: set_behaviour(uow, msisdn[:15], Behaviour(raw), delay))
    except (FormError, UserError) as exc:
        return _page(request, 400, f"Behaviour not changed: {exc}")
    after = f" after {delay} s" if user.behaviour is Behaviour.AUTO_APPROVE else ""
    return back(PAGE, f"{user.name} ({user.msisdn}): {BEHAVIOURS[user.behaviour]}{after}.")
