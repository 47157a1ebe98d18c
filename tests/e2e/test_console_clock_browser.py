"""The console's Time & faults page in a real browser against `kasse serve`: move the clock, arm and disarm faults."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.e2e.conftest import shoot
from tests.harness import ServerProcess

pytestmark = pytest.mark.slow


def kasse_clock(server: ServerProcess) -> dict[str, Any]:
    found: dict[str, Any] = httpx.get(f"{server.url}/_kasse/clock", trust_env=False).json()
    return found


def test_the_clock_advances_freezes_and_runs_again_from_the_page(phone: Any, server: ServerProcess) -> None:
    phone.goto(f"{server.url}/console/time")
    before = kasse_clock(server)["now"]

    phone.fill("#duration", "2d")
    phone.click("#advance")

    phone.wait_for_selector(".notice >> text=Advanced the clock by 2d")
    assert kasse_clock(server)["now"][:10] > before[:10]
    assert "Closed ledger dates" in phone.inner_text(".notice")
    phone.click("#freeze")
    phone.wait_for_selector("#clock-state:text('frozen')")
    assert kasse_clock(server)["frozen"] is True
    shoot(phone, "console-time-frozen")
    phone.click("#freeze")
    phone.wait_for_selector("#clock-state:text('running')")
    assert kasse_clock(server)["frozen"] is False


def test_a_fault_is_armed_from_the_form_and_disarmed(phone: Any, server: ServerProcess) -> None:
    phone.goto(f"{server.url}/console/time")

    phone.select_option("#fault-kind", "api.429")
    phone.select_option("#fault-endpoint", "capture")
    phone.fill("#fault-times", "3")
    phone.click("#arm")

    phone.wait_for_selector(".notice >> text=Armed api.429 for 123456")
    row = phone.locator("#faults tr[data-kind='api.429']")
    assert "429 Too Many Requests" in row.inner_text()
    (armed,) = httpx.get(f"{server.url}/_kasse/faults", trust_env=False).json()["faults"]
    assert (armed["kind"], armed["endpoint"], armed["remaining"]) == ("api.429", "capture", 3)
    shoot(phone, "console-time-fault")

    row.locator("button:text('Disarm')").click()

    phone.wait_for_selector("#no-faults")
    assert httpx.get(f"{server.url}/_kasse/faults", trust_env=False).json()["faults"] == []


def test_a_bad_duration_shows_why_and_moves_nothing(phone: Any, server: ServerProcess) -> None:
    phone.goto(f"{server.url}/console/time")
    httpx.post(f"{server.url}/_kasse/clock/freeze", trust_env=False)
    before = kasse_clock(server)["now"]

    phone.fill("#duration", "soon")
    phone.click("#advance")

    phone.wait_for_selector(".alert >> text=is not a duration")
    assert kasse_clock(server)["now"] == before
