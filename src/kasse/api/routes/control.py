"""The test control plane under /_kasse/: merchants, clock. Absent in production mode.

The clock only moves forwards: expiry, the event log's order and the webhook retry schedule all
assume time never runs backwards, so setting it earlier than its `now` is refused (400, `now`).
Every move sweeps what became due and wakes the webhook and wallet-behaviour loops.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Literal

from fastapi import APIRouter
from pydantic import Field
from starlette.requests import Request
from starlette.responses import Response

from kasse.adapters.commit_signal import CLOCK
from kasse.api.body import parse, read_body
from kasse.api.context import container
from kasse.api.problems import ProblemError
from kasse.api.responses import json_response
from kasse.api.schemas.common import Strict
from kasse.bootstrap import Container
from kasse.domain.duration import parse_duration
from kasse.domain.money import Market
from kasse.domain.timefmt import parse_rfc3339, rfc3339
from kasse.services import shared_clock
from kasse.services.merchants import MerchantExistsError, MerchantSpec, NewMerchant, create_merchant
from kasse.services.ports import UnitOfWork
from kasse.worker import sweep_expired

router = APIRouter(prefix="/_kasse", tags=["kasse control (test only)"])


class MerchantIn(Strict):
    name: Annotated[str, Field(min_length=1, max_length=100)] = "kasse test shop"
    market: Literal["NO", "DK", "FI"] = "NO"
    msn: Annotated[str, Field(pattern=r"^[0-9]{4,10}$")] | None = None
    pushAllowed: bool = True
    partialCaptureAllowed: bool = True
    longLivingAllowed: bool = True


MAX_MOVE = timedelta(days=10 * 365)


class AdvanceIn(Strict):
    seconds: Annotated[int, Field(ge=0, le=int(MAX_MOVE.total_seconds()))] | None = None
    duration: Annotated[str, Field(min_length=1, max_length=40)] | None = None  # 90s, 10m, 2h, 7d, 1h30m


class SetIn(Strict):
    now: Annotated[str, Field(min_length=1, max_length=40)]


def _control(request: Request) -> Container:
    c = container(request)
    if c.settings.production:
        raise ProblemError(404, "Not found")
    return c


@router.post("/merchants", status_code=201)
async def create_merchant_route(request: Request) -> Response:
    c = _control(request)
    body = parse(MerchantIn, await read_body(request), empty_ok=True)
    spec = MerchantSpec(
        name=body.name,
        market=Market(body.market),
        msn=body.msn,
        push_allowed=body.pushAllowed,
        partial_capture_allowed=body.partialCaptureAllowed,
        long_living_allowed=body.longLivingAllowed,
    )

    def job(uow: UnitOfWork) -> NewMerchant:
        return create_merchant(uow, c.clock, c.ids, spec)

    try:
        created = await c.db.write(job)
    except MerchantExistsError as exc:
        raise ProblemError(409, str(exc), [("msn", "already exists")]) from None
    m = created.merchant
    return json_response(
        {
            "msn": m.msn,
            "name": m.name,
            "market": m.market.value,
            "clientId": m.client_id,
            "clientSecret": created.client_secret,
            "subscriptionKey": m.subscription_keys[0],
            "secondarySubscriptionKey": m.subscription_keys[1],
        },
        status=201,
    )


async def _moved(c: Container) -> Response:
    """Expire what the move made due, wake the loops that wait on the clock, and say where it stands."""
    expired = await sweep_expired(c)
    c.commits.notify({CLOCK})  # the delivery and behaviour loops look for due work now, not at their next poll
    return json_response({"now": rfc3339(c.clock.now()), "frozen": c.clock.frozen, "expired": expired})


def _advance_by(body: AdvanceIn) -> timedelta:
    if (body.seconds is None) == (body.duration is None):
        raise ProblemError(400, "Give either seconds or duration.", [("body", "exactly one of seconds, duration")])
    if body.seconds is not None:
        return timedelta(seconds=body.seconds)
    assert body.duration is not None
    try:
        delta = parse_duration(body.duration)
    except ValueError as exc:
        raise ProblemError(400, str(exc), [("duration", "e.g. 90s, 10m, 2h, 7d, 1h30m")]) from None
    if delta > MAX_MOVE:
        raise ProblemError(400, "The clock moves at most ten years at a time.", [("duration", "at most 3650d")])
    return delta


@router.get("/clock")
async def get_clock(request: Request) -> Response:
    c = _control(request)
    return json_response({"now": rfc3339(c.clock.now()), "frozen": c.clock.frozen})


@router.post("/clock/advance")
async def advance_clock(request: Request) -> Response:
    c = _control(request)
    delta = _advance_by(parse(AdvanceIn, await read_body(request)))
    await c.db.write(lambda uow: shared_clock.move(uow, c.clock, lambda clock: clock.advance(delta)))
    return await _moved(c)


@router.post("/clock/set")
async def set_clock(request: Request) -> Response:
    c = _control(request)
    body = parse(SetIn, await read_body(request))
    try:
        moment = parse_rfc3339(body.now)
    except ValueError:
        raise ProblemError(400, "now is not an RFC 3339 timestamp.", [("now", "e.g. 2026-12-24T12:00:00Z")]) from None

    def to_moment(clock: shared_clock.MovableClock) -> None:
        current = clock.now()
        if rfc3339(moment) < rfc3339(current):  # compared as the wire shows them, to the millisecond
            raise ProblemError(400, "kasse's clock only moves forwards.", [("now", f"not before {rfc3339(current)}")])
        clock.set(max(moment, current))  # a moment within the current millisecond leaves the clock where it is

    await c.db.write(lambda uow: shared_clock.move(uow, c.clock, to_moment))
    return await _moved(c)


@router.post("/clock/freeze")
async def freeze_clock(request: Request) -> Response:
    c = _control(request)
    await c.db.write(lambda uow: shared_clock.move(uow, c.clock, lambda clock: clock.freeze()))
    return await _moved(c)


@router.post("/clock/unfreeze")
async def unfreeze_clock(request: Request) -> Response:
    c = _control(request)
    await c.db.write(lambda uow: shared_clock.move(uow, c.clock, lambda clock: clock.unfreeze()))
    return await _moved(c)
