"""Moving a kasse server's clock from a test or the shell: `/_kasse/clock` and its set, advance, freeze, unfreeze.

The clock only moves forwards; every move expires what fell due and wakes the webhook and wallet loops.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from kasse.adapters.control_plane import HttpxControlPlane
from kasse.domain.timefmt import parse_rfc3339, rfc3339


@dataclass(frozen=True)
class ClosedPayout:
    """A payout scheduled by the close of a ledger date a clock move passed."""

    ledger_date: str
    ledger_id: str
    msn: str
    psp_reference: str  # `<ledgerId>-<n>`, as the funds report shows it
    amount: int  # minor units
    currency: str


@dataclass(frozen=True)
class ClockReading:
    """Where kasse's clock stands after a call, and how many payments that move expired."""

    now: datetime
    frozen: bool
    expired: int = 0
    closed_ledger_dates: tuple[tuple[str, int], ...] = ()  # (ledger date, how many ledgers) the move closed
    payouts: tuple[ClosedPayout, ...] = ()  # the payouts those closes scheduled

    @classmethod
    def from_wire(cls, body: Any) -> ClockReading:
        """Read the control plane's `{now, frozen, expired, closedLedgerDates}` answer."""
        dates = body.get("closedLedgerDates") or ()
        closed = tuple((str(c["ledgerDate"]), int(c["ledgers"])) for c in dates)
        payouts = tuple(ClosedPayout(str(c["ledgerDate"]), str(p["ledgerId"]), str(p["msn"]),
                                     str(p["pspReference"]), int(p["amount"]), str(p["currency"]))
                        for c in dates for p in c.get("payouts") or ())
        return cls(parse_rfc3339(body["now"]), bool(body["frozen"]), int(body.get("expired", 0)), closed, payouts)


class RemoteClock:
    """A remote control for a running kasse's virtual clock (not the `services.ports.Clock` port the code reads).

    Example:
        >>> kasse_clock.advance("10m")  # an unanswered payment has now expired
        >>> kasse_clock.freeze(); kasse_clock.set("2026-12-24T12:00:00Z")
    """

    def __init__(self, control: HttpxControlPlane) -> None:
        self._control = control
        self.froze = False  # whether this object froze the clock (the pytest fixture unfreezes it afterwards)

    def reading(self) -> ClockReading:
        """Return where the clock stands, moving nothing."""
        return ClockReading.from_wire(self._control.call("GET", "/_kasse/clock"))

    def now(self) -> datetime:
        """Return kasse's current time (UTC)."""
        return self.reading().now

    def advance(self, by: str | timedelta | int) -> ClockReading:
        """Move the clock forwards by `"1h30m"`-style text, a timedelta of whole seconds, or seconds."""
        body: dict[str, Any]
        if isinstance(by, str):
            body = {"duration": by}
        else:
            seconds = by.total_seconds() if isinstance(by, timedelta) else by
            if seconds != int(seconds):
                raise ValueError(f"kasse's clock moves in whole seconds, not {seconds}")
            body = {"seconds": int(seconds)}
        return ClockReading.from_wire(self._control.call("POST", "/_kasse/clock/advance", json=body))

    def set(self, moment: datetime | str) -> ClockReading:
        """Move the clock forwards to a moment (aware datetime or RFC 3339 text); earlier than now is refused."""
        if isinstance(moment, datetime):
            if moment.tzinfo is None:
                raise ValueError("give an aware datetime, e.g. datetime(2026, 12, 24, 12, tzinfo=UTC)")
            moment = rfc3339(moment.astimezone(UTC))
        return ClockReading.from_wire(self._control.call("POST", "/_kasse/clock/set", json={"now": moment}))

    def freeze(self) -> ClockReading:
        """Stop the clock: it moves only when advanced or set, until `unfreeze`."""
        self.froze = True
        return ClockReading.from_wire(self._control.call("POST", "/_kasse/clock/freeze"))

    def unfreeze(self) -> ClockReading:
        """Let the clock run with real time again, from where it stands."""
        self.froze = False
        return ClockReading.from_wire(self._control.call("POST", "/_kasse/clock/unfreeze"))
