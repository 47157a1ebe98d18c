"""`/console/time`: kasse's clock and the fault board, moved and armed from forms.

The same use cases and bounds as `/_kasse/clock`, `/_kasse/faults` and `kasse clock`/`kasse fault`: the clock
only moves forwards, at most ten years at a time; a move expires what became due and closes the ledger dates
whose midnight it passed, and the notice says which closed and what they paid out.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from kasse.console.fault_catalogue import EFFECTS, settings_of
from kasse.console.form_posts import FormError, back, int_field, notice_of, text_field
from kasse.console.views import console_container, money, render, when
from kasse.container import Container, TestClock
from kasse.domain.clock_state import MAX_MOVE, move_problem
from kasse.domain.duration import parse_duration
from kasse.domain.faults import Endpoint, FaultKind, FaultSpecError
from kasse.domain.timefmt import parse_rfc3339, rfc3339
from kasse.services import shared_clock
from kasse.services.clock_moves import after_move
from kasse.services.ledger_closing import ClosedDate

router = APIRouter(include_in_schema=False)
PAGE = "/console/time"
RETURN_TO = frozenset({"/console/ledgers"})  # pages with their own "advance" shortcut, where the notice goes
MAX_TIMES = 1_000_000
MAX_DELAY = 30 * 24 * 3600  # the board refuses more (domain.faults.MAX_DELAY_SECONDS)
# what a datetime-local input sends: a wall time without a zone, read as UTC like everything on this page
_LOCAL = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?")


def _page(request: Request, status: int = 200, error: str | None = None) -> Response:
    c = console_container(request)
    units = c.db.read(lambda uow: uow.merchants.list())
    return render(request, "clock.html", "time", status=status, error=error, notice=notice_of(request),
                  now=c.clock.now(), frozen=c.clock.frozen, faults=c.faults.list(), effects=EFFECTS,
                  kinds=list(FaultKind), settings_of=settings_of, endpoints=list(Endpoint), units=units)


@router.get(PAGE)
async def clock_page(request: Request) -> Response:
    """The clock and the fault board as they stand."""
    return _page(request)


@router.get(PAGE + "/now.json")
async def clock_now(request: Request) -> JSONResponse:
    """The clock for the page's script, which keeps the time on screen running."""
    c = console_container(request)
    return JSONResponse({"now": rfc3339(c.clock.now()), "frozen": c.clock.frozen})


def _closings(passed: list[ClosedDate]) -> str:
    if not passed:
        return ""
    paid = [f"{p.msn} paid out {money(p.payout, p.currency)} ({p.payout_id})" for p in passed if p.payout is not None]
    days = sorted({p.ledger_date.isoformat() for p in passed})
    return f" Closed ledger date{'s' if len(days) > 1 else ''} {', '.join(days)}" + (
        f": {'; '.join(paid)}." if paid else ", no payouts.")


async def _move(c: Container, how: Callable[[TestClock], object], done: str, page: str = PAGE) -> Response:
    """Move the clock in the shared state, then do what the move made due, as the control plane does."""
    before = c.clock.now()
    await c.db.write(lambda uow: shared_clock.move(uow, c.clock, how))
    moved = await after_move(c.db.read, c.db.write, c.clock, c.ids, c.faults, before, c.commits.notify)
    notice = f"{done} It is now {when(moved.now)} UTC." + (f" Expired {moved.expired} payment(s)." if moved.expired
                                                          else "")
    return back(page, notice + _closings(moved.passed))


def _checked(clock: TestClock, target: datetime, field: str) -> None:
    if target < clock.now():
        raise FormError(field, f"kasse's clock only moves forwards: not before {when(clock.now())} UTC")
    problem = move_problem(clock.now(), target, datetime.now(UTC))
    if problem is not None:
        raise FormError(field, problem)


def _duration(form_value: str) -> timedelta:
    try:
        delta = parse_duration(form_value)
    except ValueError as exc:
        raise FormError("duration", str(exc)) from None
    if delta > MAX_MOVE:
        raise FormError("duration", "the clock moves at most ten years (3650d) at a time")
    return delta


def _moment(value: str) -> datetime:
    try:
        return parse_rfc3339(value + ("Z" if _LOCAL.fullmatch(value) else ""))
    except ValueError:
        raise FormError("moment", f"{value[:40]!r} is not a moment: e.g. 2026-12-24T12:00:00Z") from None


@router.post(PAGE + "/advance")
async def advance(request: Request) -> Response:
    """Move the clock forwards by a typed duration (10m, 1d, 1h30m)."""
    c = console_container(request)
    form = await request.form()
    try:
        text = text_field(form, "duration", 40)
        delta = _duration(text)

        def ahead(clock: TestClock) -> None:
            _checked(clock, clock.now() + delta, "duration")
            clock.advance(delta)

        page = PAGE if form.get("back") not in RETURN_TO else str(form.get("back"))
        return await _move(c, ahead, f"Advanced the clock by {text}.", page)
    except FormError as exc:
        return _page(request, 400, str(exc))


@router.post(PAGE + "/set")
async def set_clock(request: Request) -> Response:
    """Move the clock to a moment (UTC); never backwards."""
    c = console_container(request)
    try:
        moment = _moment(text_field(await request.form(), "moment", 40))

        def to_moment(clock: TestClock) -> None:
            _checked(clock, moment, "moment")
            clock.set(moment)

        return await _move(c, to_moment, f"Set the clock to {when(moment)} UTC.")
    except FormError as exc:
        return _page(request, 400, str(exc))


@router.post(PAGE + "/freeze")
async def freeze(request: Request) -> Response:
    """Stop the clock: time moves only when told."""
    return await _move(console_container(request), lambda clock: clock.freeze(), "Froze the clock.")


@router.post(PAGE + "/unfreeze")
async def unfreeze(request: Request) -> Response:
    """Let the clock run with real time again, from where it stands."""
    return await _move(console_container(request), lambda clock: clock.unfreeze(), "The clock runs again.")


def _choice(form_value: str, choices: type[FaultKind] | type[Endpoint], field: str) -> str:
    if form_value not in {c.value for c in choices}:
        raise FormError(field, f"{field} must be one of {', '.join(c.value for c in choices)}")
    return form_value


@router.post(PAGE + "/faults")
async def arm(request: Request) -> Response:
    """Arm a fault from the form, with the board's own checks of its settings."""
    c = console_container(request)
    form = await request.form()
    try:
        msn = text_field(form, "msn", 10)
        kind = FaultKind(_choice(text_field(form, "kind", 40), FaultKind, "kind"))
        raw_endpoint = text_field(form, "endpoint", 20, required=False)
        endpoint = Endpoint(_choice(raw_endpoint, Endpoint, "endpoint")) if raw_endpoint else None
        times = int_field(form, "times", 1, MAX_TIMES)
        delay = int_field(form, "delaySeconds", 1, MAX_DELAY)
        if c.db.read(lambda uow: uow.merchants.get(msn)) is None:
            raise FormError("msn", f"no sales unit has MSN {msn[:10]}")
        fault = c.faults.arm(msn, kind, endpoint=endpoint, times=times,
                             delay_seconds=float(delay) if delay is not None else None)
    except (FormError, FaultSpecError) as exc:
        return _page(request, 400, f"Not armed: {exc}")
    return back(PAGE, f"Armed {fault.kind} for {fault.msn} ({fault.id}).")


@router.post(PAGE + "/faults/{fault_id}/disarm")
async def disarm(request: Request, fault_id: str) -> Response:
    """Disarm one fault."""
    c = console_container(request)
    if len(fault_id) > 40 or not c.faults.disarm(fault_id):
        return _page(request, 404, f"No fault {fault_id[:40]} is armed.")
    return back(PAGE, f"Disarmed {fault_id}.")


@router.post(PAGE + "/faults/disarm-all")
async def disarm_all(request: Request) -> Response:
    """Disarm every fault of every sales unit."""
    count = console_container(request).faults.disarm_all()
    return back(PAGE, f"Disarmed {count} fault(s).")
