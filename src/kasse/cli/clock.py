"""`kasse clock`: read and move a running kasse's virtual clock over its test control plane."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import click

from kasse.cli.control_plane import talk_to, url_option

if TYPE_CHECKING:  # httpx and the control plane client load only when a command runs
    from kasse.testing.clock import ClockReading, ClosedPayout, RemoteClock


MAX_CLOSED_LINES = 10  # a long move closes a date per day: the first and last two are shown


def _run(base_url: str, move: Callable[[RemoteClock], ClockReading], moved: bool = True) -> None:
    from kasse.domain.timefmt import rfc3339
    from kasse.testing.clock import RemoteClock

    reading = talk_to(base_url, lambda control: move(RemoteClock(control)))
    state = "frozen" if reading.frozen else "running"
    expired = f", {reading.expired} payment(s) expired" if moved else ""
    click.echo(f"{rfc3339(reading.now)} ({state}{expired})")
    closed = reading.closed_ledger_dates
    shown = closed if len(closed) <= MAX_CLOSED_LINES else closed[:2] + closed[-2:]
    for i, (ledger_date, ledgers) in enumerate(shown):
        if len(closed) > MAX_CLOSED_LINES and i == 2:
            click.echo(f"... {len(closed) - 4} more ledger dates closed ...")
        click.echo(f"closed ledger date {ledger_date} for {ledgers} ledger(s)")
        _payout_lines([p for p in reading.payouts if p.ledger_date == ledger_date])


MAX_PAYOUT_LINES = 3  # per closed date; `kasse ledger list` shows every ledger


def _payout_lines(payouts: list[ClosedPayout]) -> None:
    for p in payouts[:MAX_PAYOUT_LINES]:
        click.echo(f"  payout {p.psp_reference}: {p.amount} {p.currency} for msn {p.msn}"
                   f" (kasse ledger entries {p.ledger_id} --date {p.ledger_date})")
    if len(payouts) > MAX_PAYOUT_LINES:
        click.echo(f"  ... and {len(payouts) - MAX_PAYOUT_LINES} more payouts")


@click.group()
def clock() -> None:
    """Read or move kasse's clock (test mode): payment expiry, tokens, QR ttl and webhook retries follow it.

    The clock only moves forwards. Each move expires the payments it made due at once, and closes the
    ledger dates (Report API) whose midnight it passed, printing each closed date.
    """


@clock.command("now")
@url_option
def clock_now(base_url: str) -> None:
    """Print kasse's current time and whether the clock is frozen."""
    _run(base_url, lambda c: c.reading(), moved=False)


@clock.command("advance")
@click.argument("duration")
@url_option
def clock_advance(duration: str, base_url: str) -> None:
    """Move the clock forwards by DURATION: 90s, 10m, 2h, 7d, 1h30m."""
    from kasse.domain.duration import parse_duration

    try:
        parse_duration(duration)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="DURATION") from None
    _run(base_url, lambda c: c.advance(duration))


@clock.command("set")
@click.argument("moment")
@url_option
def clock_set(moment: str, base_url: str) -> None:
    """Move the clock forwards to MOMENT, an RFC 3339 time such as 2026-12-24T12:00:00Z (never backwards)."""
    from kasse.domain.timefmt import parse_rfc3339

    try:
        parse_rfc3339(moment)
    except ValueError:
        hint = "use RFC 3339 with an offset, e.g. 2026-12-24T12:00:00Z"
        raise click.BadParameter(hint, param_hint="MOMENT") from None
    _run(base_url, lambda c: c.set(moment))


@clock.command("freeze")
@url_option
def clock_freeze(base_url: str) -> None:
    """Stop the clock: from now on it moves only when advanced or set."""
    _run(base_url, lambda c: c.freeze())


@clock.command("unfreeze")
@url_option
def clock_unfreeze(base_url: str) -> None:
    """Let the clock run with real time again, from where it stands."""
    _run(base_url, lambda c: c.unfreeze())
