"""The control plane's clock: read it, advance it, set it, freeze and unfreeze it (test mode only).

The clock only moves forwards: expiry, the event log's order and the webhook retry schedule all
assume time never runs backwards, so setting it earlier than its `now` is refused (400, `now`). It
moves at most ten years at a time and runs at most a century ahead of real time (domain/clock_state.py),
so no date kasse derives from it can leave the calendar. Every move sweeps what became due and wakes
the webhook and wallet-behaviour loops.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated

from pydantic import ConfigDict, Field
from starlette.requests import Request
from starlette.responses import Response

from kasse.api.body import parse, read_body
from kasse.api.context import container
from kasse.api.control import KASSE_CONTROL
from kasse.api.control.ledger_wire import closed_wire
from kasse.api.operations import Answer, Operation, routes
from kasse.api.problems import ProblemError
from kasse.api.responses import json_response
from kasse.api.schemas.common import Strict
from kasse.api.schemas.control import ClockMoved, ClockOut
from kasse.container import Container, TestClock
from kasse.domain.clock_state import MAX_MOVE, move_problem
from kasse.domain.duration import parse_duration
from kasse.domain.timefmt import parse_rfc3339, rfc3339
from kasse.services import shared_clock
from kasse.services.clock_moves import after_move


class AdvanceIn(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": [{"duration": "10m"}]})

    seconds: Annotated[int, Field(ge=0, le=int(MAX_MOVE.total_seconds()))] | None = Field(
        None, description="Seconds to move (give this or duration)")
    duration: Annotated[str, Field(min_length=1, max_length=40)] | None = Field(
        None, description="A duration to move: 90s, 10m, 2h, 7d, 1h30m")


class SetIn(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": [{"now": "2026-12-24T12:00:00Z"}]})

    now: Annotated[str, Field(min_length=1, max_length=40, description="An RFC 3339 moment, not before now")]


async def _moved(c: Container, before: datetime) -> Response:
    """Expire what the move made due, wake the loops that wait on the clock, and say where it stands."""
    moved = await after_move(c.db.read, c.db.write, c.clock, c.ids, c.faults, before, c.commits.notify)
    return json_response({"now": rfc3339(moved.now), "frozen": c.clock.frozen, "expired": moved.expired,
                          "closedLedgerDates": closed_wire(moved.passed)})


def _check_move(clock: shared_clock.MovableClock, target: datetime, field: str) -> None:
    problem = move_problem(clock.now(), target, datetime.now(UTC))
    if problem is not None:
        raise ProblemError(400, f"{problem[0].upper()}{problem[1:]}.", [(field, problem)])


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


async def get_clock(request: Request) -> Response:
    c = container(request)
    return json_response({"now": rfc3339(c.clock.now()), "frozen": c.clock.frozen})


async def advance_clock(request: Request) -> Response:
    c = container(request)
    before = c.clock.now()
    body = parse(AdvanceIn, await read_body(request))
    delta = _advance_by(body)

    def ahead(clock: TestClock) -> None:
        _check_move(clock, clock.now() + delta, "seconds" if body.seconds is not None else "duration")
        clock.advance(delta)

    await c.db.write(lambda uow: shared_clock.move(uow, c.clock, ahead))
    return await _moved(c, before)


async def set_clock(request: Request) -> Response:
    c = container(request)
    before = c.clock.now()
    body = parse(SetIn, await read_body(request))
    try:
        moment = parse_rfc3339(body.now)
    except ValueError:
        raise ProblemError(400, "now is not an RFC 3339 timestamp.", [("now", "e.g. 2026-12-24T12:00:00Z")]) from None

    def to_moment(clock: shared_clock.MovableClock) -> None:
        current = clock.now()
        if rfc3339(moment) < rfc3339(current):  # compared as the wire shows them, to the millisecond
            raise ProblemError(400, "kasse's clock only moves forwards.", [("now", f"not before {rfc3339(current)}")])
        _check_move(clock, moment, "now")
        clock.set(max(moment, current))  # a moment within the current millisecond leaves the clock where it is

    await c.db.write(lambda uow: shared_clock.move(uow, c.clock, to_moment))
    return await _moved(c, before)


async def freeze_clock(request: Request) -> Response:
    c = container(request)
    before = c.clock.now()
    await c.db.write(lambda uow: shared_clock.move(uow, c.clock, lambda clock: clock.freeze()))
    return await _moved(c, before)


async def unfreeze_clock(request: Request) -> Response:
    c = container(request)
    before = c.clock.now()
    await c.db.write(lambda uow: shared_clock.move(uow, c.clock, lambda clock: clock.unfreeze()))
    return await _moved(c, before)


CLOCK = "/_kasse/clock"
_MOVED = Answer(200, "Where the clock stands, and how many payments the move expired", ClockMoved)
OPERATIONS = (
    Operation("GET", CLOCK, get_clock, "getClock", KASSE_CONTROL, "Read the clock",
              "kasse's clock, which every timer reads: expiry, token lifetimes, webhook retries.",
              Answer(200, "The clock", ClockOut)),
    Operation("POST", CLOCK + "/advance", advance_clock, "advanceClock", KASSE_CONTROL, "Move the clock forwards",
              "Test expiry without waiting: move by `seconds` or a `duration`. What became due happens now.",
              _MOVED, body=AdvanceIn),
    Operation("POST", CLOCK + "/set", set_clock, "setClock", KASSE_CONTROL, "Set the clock",
              "Move the clock to a moment; it never goes backwards.", _MOVED, body=SetIn),
    Operation("POST", CLOCK + "/freeze", freeze_clock, "freezeClock", KASSE_CONTROL, "Freeze the clock",
              "Stop the clock: time moves only when told.", _MOVED),
    Operation("POST", CLOCK + "/unfreeze", unfreeze_clock, "unfreezeClock", KASSE_CONTROL, "Unfreeze the clock",
              "Let the clock run with real time again, from where it stands.", _MOVED),
)

ROUTES = routes(OPERATIONS)
