"""The wallet's control plane under /_kasse/: test users, behaviours, and wallet actions for automation.

Everything a person does in the wallet app a test can do here: scan content, approve (with the
BankID step for magic amount 202), reject, and set a behaviour so requests answer themselves.
Absent in production mode, like the rest of /_kasse/.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TypeVar

from starlette.requests import Request
from starlette.responses import Response

from kasse.api.body import parse, read_body
from kasse.api.context import container
from kasse.api.control import KASSE_CONTROL
from kasse.api.operations import Answer, Operation, routes
from kasse.api.problems import ProblemError
from kasse.api.responses import json_response
from kasse.api.schemas.control import ScanOut, UserOut, WalletEntry, WalletPayment
from kasse.api.schemas.wallet import AnswerIn, BehaviourIn, ScanIn, UserIn
from kasse.container import Container
from kasse.domain.inbox import WalletError, WalletRefusal
from kasse.domain.money import Market
from kasse.domain.payment import Payment
from kasse.domain.timefmt import rfc3339
from kasse.domain.user import Behaviour, User
from kasse.services import wallet
from kasse.services.ports import UnitOfWork
from kasse.services.users import (
    UnknownUserError,
    UserError,
    UserExistsError,
    UserSpec,
    create_user,
    personal_qr_contents,
    set_behaviour,
)

T = TypeVar("T")

STATUS_OF_REFUSAL: dict[WalletRefusal, int] = {
    WalletRefusal.UNKNOWN_USER: 404,
    WalletRefusal.UNKNOWN_PAYMENT: 404,
    WalletRefusal.QR_NO_LONGER_VALID: 404,
    WalletRefusal.UNKNOWN_QR: 400,
    WalletRefusal.PERSONAL_QR: 400,
    WalletRefusal.UNREADABLE_IMAGE: 400,
}  # every other refusal is 409: the request is fine, the payment's situation is not
USER_ERROR_STATUS: dict[type[UserError], int] = {UserExistsError: 409, UnknownUserError: 404}


def wallet_problem(err: WalletError) -> ProblemError:
    return ProblemError(STATUS_OF_REFUSAL.get(err.refusal, 409), err.detail, [("reason", err.refusal.value)])


async def _write(c: Container, fn: Callable[[UnitOfWork], T]) -> T:
    try:
        return await c.db.write(fn)
    except WalletError as err:
        raise wallet_problem(err) from None
    except UserError as err:
        status = USER_ERROR_STATUS.get(type(err), 400)
        raise ProblemError(status, str(err), [(err.field, str(err))]) from None


def user_wire(user: User) -> dict[str, object]:
    qr = personal_qr_contents(user)
    return {
        "msisdn": user.msisdn,
        "name": user.name,
        "birthDate": user.birth_date.isoformat(),
        "market": user.market.value,
        "card": {"brand": user.card.brand, "maskedNumber": user.card.masked, "expiry": user.card.expiry},
        "personalQr": {"tokenized": qr["2.0"], "clearText": qr["1.0"]},
        "behaviour": {"behaviour": user.behaviour.value, "delaySeconds": user.behaviour_delay},
    }


def _payment_wire(payment: Payment) -> dict[str, object]:
    return {"msn": payment.msn, "reference": payment.reference, "state": payment.state.value,
            "amount": payment.amount.to_wire()}


async def create_user_route(request: Request) -> Response:
    c = container(request)
    body = parse(UserIn, await read_body(request))
    try:
        born = date.fromisoformat(body.birthDate) if body.birthDate else None
    except ValueError:
        raise ProblemError(400, "birthDate is not a date", [("birthDate", "must be YYYY-MM-DD")]) from None
    spec = UserSpec(body.msisdn, body.name, born, Market(body.market) if body.market else None)
    user = await _write(c, lambda uow: create_user(uow, c.clock, c.ids, spec))
    return json_response(user_wire(user), status=201)


async def list_users(request: Request) -> Response:
    c = container(request)
    return json_response([user_wire(u) for u in c.db.read(lambda uow: uow.users.list())])


async def get_user(request: Request) -> Response:
    c, msisdn = container(request), request.path_params["msisdn"]
    try:
        user = c.db.read(lambda uow: wallet.user_of(uow, msisdn))
    except WalletError as err:
        raise wallet_problem(err) from None
    return json_response(user_wire(user))


async def put_behaviour(request: Request) -> Response:
    c, msisdn = container(request), request.path_params["msisdn"]
    body = parse(BehaviourIn, await read_body(request))
    user = await _write(c, lambda uow: set_behaviour(uow, msisdn, Behaviour(body.behaviour), body.delaySeconds))
    return json_response(user_wire(user))


async def scan(request: Request) -> Response:
    c, msisdn = container(request), request.path_params["msisdn"]
    body = parse(ScanIn, await read_body(request))

    def job(uow: UnitOfWork) -> dict[str, object]:
        user = wallet.user_of(uow, msisdn)
        outcome = wallet.scan(uow, c.clock, c.ids, user, body.content, c.settings.base_url)
        out: dict[str, object] = {"kind": outcome.kind.value}
        if outcome.request is not None:
            payment = uow.payments.get(outcome.request.msn, outcome.request.reference)
            assert payment is not None
            out["payment"] = _payment_wire(payment)
        if outcome.check_in is not None:
            visit = outcome.check_in
            out["checkIn"] = {**visit.webhook_payload(), "locationDescription": visit.location_description,
                              "expiresAt": rfc3339(visit.expires_at)}
        if outcome.redirect_url is not None:
            out["redirectUrl"] = outcome.redirect_url
        return out

    return json_response(await _write(c, job))


async def list_wallet_payments(request: Request) -> Response:
    c, msisdn = container(request), request.path_params["msisdn"]

    def read(uow: UnitOfWork) -> list[dict[str, object]]:
        wallet.user_of(uow, msisdn)
        return [{**_payment_wire(e.payment), "merchantName": e.merchant_name, "source": e.request.source.value,
                 "pending": e.pending, "answer": e.request.answer.value if e.request.answer else None,
                 "note": e.request.note} for e in wallet.entries(uow, msisdn)]

    try:
        return json_response(c.db.read(read))
    except WalletError as err:
        raise wallet_problem(err) from None


def _msn_of(uow: UnitOfWork, msisdn: str, reference: str, msn: str | None) -> str:
    if msn is not None:
        return msn
    for request in uow.wallet.requests_of(msisdn, 500):
        if request.reference == reference:
            return request.msn
    raise WalletError(WalletRefusal.UNKNOWN_PAYMENT)


async def _answer(request: Request, msisdn: str, reference: str, action: str) -> Response:
    c = container(request)
    body = parse(AnswerIn, await read_body(request), empty_ok=True)

    def job(uow: UnitOfWork) -> Payment:
        user = wallet.user_of(uow, msisdn)
        msn = _msn_of(uow, msisdn, reference, body.msn)
        if action == "approve":
            return wallet.approve(uow, c.clock, c.ids, user, msn, reference, sca_confirmed=body.sca)
        return wallet.reject(uow, c.clock, c.ids, user, msn, reference)

    return json_response(_payment_wire(await _write(c, job)))


async def approve(request: Request) -> Response:
    return await _answer(request, request.path_params["msisdn"], request.path_params["reference"], "approve")


async def reject(request: Request) -> Response:
    return await _answer(request, request.path_params["msisdn"], request.path_params["reference"], "reject")


USER = "/_kasse/users/{msisdn}"
WALLET = "/_kasse/wallet/{msisdn}"
_MSISDN = {"msisdn": {"type": "string", "example": "4712345678"}}
_PAYMENT = {**_MSISDN, "reference": {"type": "string", "example": "acme-shop-123-order1"}}
_ANSWERED = Answer(200, "The payment after the answer", WalletPayment)
OPERATIONS = (
    Operation("POST", "/_kasse/users", create_user_route, "createTestUser", KASSE_CONTROL, "Create a test user",
              "A wallet user with a phone number, a card and a personal QR.",
              Answer(201, "Created", UserOut), body=UserIn, refusals=(409,)),
    Operation("GET", "/_kasse/users", list_users, "listTestUsers", KASSE_CONTROL, "List test users",
              "Every test user, with their card, personal QR and behaviour.",
              Answer(200, "The users", UserOut, many=True)),
    Operation("GET", USER, get_user, "getTestUser", KASSE_CONTROL, "Get a test user",
              "One user, with the contents of their personal QR in both formats.", Answer(200, "The user", UserOut),
              path_params=_MSISDN),
    Operation("PUT", USER + "/behaviour", put_behaviour, "setBehaviour", KASSE_CONTROL,
              "Script how a user answers", "MANUAL waits for a person; AUTO_APPROVE, ALWAYS_REJECT and "
              "NEVER_ANSWER answer every payment request by themselves, after `delaySeconds`.",
              Answer(200, "The user", UserOut), body=BehaviourIn, path_params=_MSISDN),
    Operation("POST", WALLET + "/scan", scan, "scanInWallet", KASSE_CONTROL, "Scan a QR in the wallet",
              "What the user's camera read: a one-time payment QR opens the payment, a callback QR checks them "
              "in, a redirect QR answers with its page.", Answer(200, "What the scan did", ScanOut), body=ScanIn,
              refusals=(409,), path_params=_MSISDN),
    Operation("GET", WALLET + "/payments", list_wallet_payments, "listWalletPayments", KASSE_CONTROL,
              "List a user's payment requests", "Newest first, with whether each is still waiting for an answer.",
              Answer(200, "The requests", WalletEntry, many=True), path_params=_MSISDN),
    Operation("POST", WALLET + "/payments/{reference}/approve", approve, "approveInWallet", KASSE_CONTROL,
              "Approve as the customer", "The user approves the payment (`sca: true` confirms the BankID step of "
              "magic amount 202).", _ANSWERED, body=AnswerIn, body_required=False, refusals=(409,),
              path_params=_PAYMENT),
    Operation("POST", WALLET + "/payments/{reference}/reject", reject, "rejectInWallet", KASSE_CONTROL,
              "Reject as the customer", "The user rejects the payment: it ends ABORTED.", _ANSWERED, body=AnswerIn,
              body_required=False, refusals=(409,), path_params=_PAYMENT),
)

ROUTES = routes(OPERATIONS)
