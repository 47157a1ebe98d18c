"""A day of sales at the POS inside a real `kasse serve`: the four scenarios and a refund, on kasse's clock.

Driven as a cashier and a customer would (the POS's own HTTP API, the wallet's control API, the refund form),
by `kasse.demo`'s scripted scenarios; the day is a fixed local date, so the ledger date is known.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import httpx
from click.testing import CliRunner, Result

from kasse.cli import main
from kasse.cli.demo import Demo, scenario_phone, scenario_qr, scenario_scan, scenario_vending
from tests.harness import ServerProcess, with_csrf

OSLO = ZoneInfo("Europe/Oslo")


@dataclass(frozen=True, slots=True)
class SalesDay:
    """The ledger date of the sales; the last sale at the till (partly refunded) and the vending machine's."""

    day: date
    till_sale: str
    vending_sale: str


def kasse(server: ServerProcess, *args: str) -> Result:
    """Run a `kasse` command against the server, in this process."""
    url = ["--url", server.url]
    if args[:2] == ("pos", "reconcile"):
        url += ["--db", str(server.database)]
    return CliRunner().invoke(main, [*args, *url])


def sell_a_day(server: ServerProcess) -> SalesDay:
    """Move kasse's clock to 09:00 Oslo of a coming day, sell in all four scenarios, refund part of one sale."""
    now = datetime.fromisoformat(httpx.get(f"{server.url}/_kasse/clock", trust_env=False).json()["now"])
    day = now.astimezone(OSLO).date() + timedelta(days=2)
    moved = kasse(server, "clock", "set", datetime.combine(day, time(9), OSLO).astimezone(UTC).isoformat())
    assert moved.exit_code == 0, moved.output
    demo = Demo(server.url, echo=lambda _: None)
    for scenario in (scenario_qr, scenario_scan, scenario_phone, scenario_vending):
        scenario(demo)
    with httpx.Client(base_url=server.url, trust_env=False) as pos:
        with_csrf(pos, "/pos/sales")  # the refund form carries the page's CSRF token
        till, vending = (pos.get(f"/pos/api/terminals/{t}").json()["sale"]["reference"]
                         for t in ("demo-1", "vending-7"))
        refund = pos.post(f"/pos/sales/{till}/refund", data={"amount": "10,00"})
        assert refund.status_code == 303 and "error" not in refund.headers["location"], refund.headers
    return SalesDay(day, till, vending)
