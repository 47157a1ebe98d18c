"""The actions on one payment's console page, as forms: each calls the same use case as the API or the wallet.

Approve and reject act as the customer: through the wallet entry when the payment reached a wallet, else as
the test environment's forced approval (contract §4.8). A refusal shows the page again with the contract's
message and the status the API would answer; success redirects back (303) with a notice.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from kasse.api.problems import status_of
from kasse.console.payment import show
from kasse.console.views import console_container
from kasse.container import Container
from kasse.domain.errors import DomainError
from kasse.domain.inbox import WalletError
from kasse.domain.money import Currency, Money
from kasse.domain.webhook_delivery import DeliveryTransitionError
from kasse.services import wallet
from kasse.services.deliveries import DeliveryNotFoundError, redeliver_now
from kasse.services.expiry import expire_payment
from kasse.services.payment_commands import CancelPayment, ModifyPayment
from kasse.services.payments import (
    cancel_payment,
    capture_payment,
    force_approve_payment,
    load,
    refund_payment,
    reject_payment,
)
from kasse.services.ports import UnitOfWork

router = APIRouter(include_in_schema=False)
AMOUNT_MAX = 10**12  # minor units; far above any payment, far below what storage holds


class BadFormError(ValueError):
    """A form field the action cannot use."""


Job = Callable[[UnitOfWork], Any]


def _amount(form: Any, uow: UnitOfWork, msn: str, reference: str) -> Money:
    text = str(form.get("amount") or "").strip()
    if not text.isdigit() or not 0 < int(text) <= AMOUNT_MAX:
        raise BadFormError("amount: a whole number of minor units (øre, cents), above 0")
    return Money(int(text), Currency(load(uow, msn, reference).amount.currency.value))


def _as_customer(c: Container, msn: str, reference: str, approve: bool) -> Job:
    def job(uow: UnitOfWork) -> Any:
        entry = uow.wallet.get_request(msn, reference)
        if entry is not None:
            user = wallet.user_of(uow, entry.msisdn)
            if approve:
                return wallet.approve(uow, c.clock, c.ids, user, msn, reference, sca_confirmed=True)
            return wallet.reject(uow, c.clock, c.ids, user, msn, reference)
        if approve:
            return force_approve_payment(uow, c.clock, c.ids, msn, reference, None)
        return reject_payment(uow, c.clock, c.ids, load(uow, msn, reference))
    return job


def _redeliver(c: Container, msn: str, reference: str, form: Any) -> Job:
    text = str(form.get("delivery") or "")
    if not text.isdigit() or len(text) > 18:
        raise BadFormError("delivery: not a delivery of this payment")

    def job(uow: UnitOfWork) -> Any:
        found = uow.delivery_log.history(delivery_id=int(text), limit=1)
        if not found or (found[0].delivery.msn, found[0].delivery.reference) != (msn, reference):
            raise BadFormError("delivery: not a delivery of this payment")
        return redeliver_now(uow, int(text), c.clock.now())
    return job


def job_of(c: Container, action: str, msn: str, reference: str, form: Any) -> Job | None:
    """Return the use case an action runs, or None for an action there is not."""
    def modify(use: Callable[..., Any]) -> Job:
        return lambda uow: use(uow, c.clock, c.ids, ModifyPayment(msn, reference, _amount(form, uow, msn, reference),
                                                                  None))
    jobs: dict[str, Callable[[], Job]] = {
        "approve": lambda: _as_customer(c, msn, reference, True),
        "reject": lambda: _as_customer(c, msn, reference, False),
        "expire": lambda: lambda uow: expire_payment(uow, c.clock, c.ids, msn, reference),
        "capture": lambda: modify(capture_payment),
        "refund": lambda: modify(refund_payment),
        "cancel": lambda: lambda uow: cancel_payment(uow, c.clock, c.ids, CancelPayment(msn, reference, None)),
        "redeliver": lambda: _redeliver(c, msn, reference, form),
    }
    make = jobs.get(action)
    return make() if make else None


DONE = {"approve": "approved", "reject": "rejected", "expire": "expired", "capture": "captured",
        "refund": "refunded", "cancel": "cancelled", "redeliver": "redelivered"}


@router.post("/console/payments/{msn}/{reference}/{action}")
async def act(request: Request, msn: str, reference: str, action: str) -> Response:
    """Run one action's use case; back to the page with a notice, or the page again with the refusal."""
    c = console_container(request)
    async with request.form() as form:
        try:
            job = job_of(c, action, msn, reference, form)
            if job is None:
                return await show(request, msn, reference, status=404, error=f"There is no action '{action}'.")
            await c.db.write(job)
        except BadFormError as err:
            return await show(request, msn, reference, status=400, error=str(err))
        except DomainError as err:
            return await show(request, msn, reference, status=status_of(err.code), error=err.detail)
        except WalletError as err:
            return await show(request, msn, reference, status=409, error=err.detail)
        except (DeliveryNotFoundError, DeliveryTransitionError) as err:
            return await show(request, msn, reference, status=409, error=str(err))
    return RedirectResponse(f"/console/payments/{msn}/{reference}?done={DONE[action]}", status_code=303)
