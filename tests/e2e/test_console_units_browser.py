"""The console's Sales units & users page in a real browser: a secret stays hidden until revealed."""

from __future__ import annotations

from typing import Any

import pytest

from kasse.settings import DEMO
from tests.e2e.conftest import shoot
from tests.harness import ServerProcess

pytestmark = pytest.mark.slow


def test_the_demo_secret_is_hidden_until_revealed(phone: Any, server: ServerProcess) -> None:
    phone.goto(f"{server.url}/console/units")
    unit = phone.locator(f"article.unit[data-msn='{DEMO.msn}']")
    secret = unit.locator(f"code.revealed:text('{DEMO.client_secret}')")
    assert not secret.is_visible()

    unit.locator("summary:text('Reveal')").first.click()

    assert secret.is_visible()
    shoot(phone, "console-units-revealed")


def test_a_new_unit_s_credentials_are_shown_once(phone: Any, server: ServerProcess) -> None:
    phone.goto(f"{server.url}/console/units")

    phone.fill("#unit-name", "Corner kiosk")
    phone.select_option("#unit-market", "DK")
    phone.click("#create-unit")

    made = phone.locator("#made")
    assert "copy its credentials now" in made.inner_text()
    secret = phone.inner_text("#made-secret")
    phone.goto(f"{server.url}/console/units")
    assert "Corner kiosk" in phone.content()
    assert secret not in phone.content()
