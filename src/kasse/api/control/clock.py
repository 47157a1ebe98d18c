"""The control plane's clock: read it, advance it, set it, freeze and unfreeze it (test mode only).

The clock only moves forwards: expiry, the event log's order and the webhook retry schedule all
assume time never runs backwards, so setting it earlier than its `now` is refused (400, `now`).
Every move sweeps what became due and wakes the webhook and wallet-behaviour loops.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter
from pydantic import Field
from starlette.requests import Request
from starlette.responses import Response

from kasse.api.body import parse, read_body
from kasse.api.context import container
from kasse.api.problems import ProblemError
from kasse.api.responses import json_response
from kasse.api.schemas.common import Strict
from kasse.container import Container
from kasse.domain.duration import parse_duration
from kasse.domain.timefmt import parse_rfc3339, rfc3339
from kasse.services import shared_clock
from kasse.services.expiry import sweep_expired

router = APIRouter(prefix="/_kasse", tags=["kasse control (test only)"])


MAX_MOVE = timedelta(days=10 * 365)


class AdvanceIn(Strict):
    seconds: Annotated[int, Field(ge=0, le=int(MAX_MOVE.total_seconds()))] | None = None
    duration: Annotated[str, Field(min_length=1, max_length=40)] | None = None  # 90s, 10m, 2h, 7d, 1h30m


class SetIn(Strict):
    now: Annotated[str, Field(min_length=1, max_length=40)]


async def _moved(c: Container) -> Response:
    """Expire what the move made due, wake the loops that wait on the clock, and say where it stands."""
    expired = await sweep_expired(c.db.write, c.clock, c.ids)
    c.commits.notify()  # the delivery and behaviour loops look for due work now, not at their next poll
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
    c = container(request)
    return json_response({"now": rfc3339(c.clock.now()), "frozen": c.clock.frozen})


@router.post("/clock/advance")
async def advance_clock(request: Request) -> Response:
    c = container(request)
    delta = _advance_by(parse(AdvanceIn, await read_body(request)))
    await c.db.write(lambda uow: shared_clock.move(uow, c.clock, lambda clock: clock.advance(delta)))
    return await _moved(c)


@router.post("/clock/set")
async def set_clock(request: Request) -> Response:
    c = container(request)
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
    c = container(request)
    await c.db.write(lambda uow: shared_clock.move(uow, c.clock, lambda clock: clock.freeze()))
    return await _moved(c)


@router.post("/clock/unfreeze")
async def unfreeze_clock(request: Request) -> Response:
    c = container(request)
    await c.db.write(lambda uow: shared_clock.move(uow, c.clock, lambda clock: clock.unfreeze()))
    return await _moved(c)
