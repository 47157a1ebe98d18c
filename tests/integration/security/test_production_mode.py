"""Production mode has no demo: no demo unit, no demo users, no secret in any output; the POS needs its own unit."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from kasse.cli import main
from kasse.cli.serve import _banner
from kasse.services.users import DEMO_USERS
from kasse.settings import DEMO, DEMO_SHOP, DEMO_UNITS, DemoSalesUnit, Settings
from tests.harness import DEMO_CREDENTIALS, Credentials, ServerProcess, create_body, in_process, new_reference

DEMO_SECRETS = (DEMO.client_secret, DEMO.subscription_key)


def _credentials(unit: DemoSalesUnit) -> Credentials:
    return Credentials(unit.msn, unit.client_id, unit.client_secret, unit.subscription_key)


def test_a_production_database_has_no_demo_unit_and_refuses_its_credentials(tmp_path: Path) -> None:
    for production in in_process(tmp_path, production=True):
        tokens = [production.client.post("/accesstoken/get", headers=_credentials(u).token_headers()).status_code
                  for u in DEMO_UNITS]
        users = production.container.db.read(lambda uow: uow.users.list())
        units = production.container.db.read(lambda uow: [uow.merchants.get(u.msn) for u in DEMO_UNITS])

        assert tokens == [401, 401]  # the developers' demo unit and the built-in POS's shop alike
        assert (units, users) == ([None, None], [])


def test_a_database_that_holds_the_demo_shop_refuses_its_credentials_in_production(tmp_path: Path) -> None:
    for test_mode in in_process(tmp_path):
        assert test_mode.container.db.read(lambda uow: uow.merchants.get(DEMO_SHOP.msn)) is not None
    for production in in_process(tmp_path, production=True):
        refused = production.client.post("/accesstoken/get", headers=_credentials(DEMO_SHOP).token_headers())

        assert refused.status_code == 401


def test_a_database_that_holds_the_demo_unit_refuses_its_credentials_in_production(tmp_path: Path) -> None:
    for test_mode in in_process(tmp_path):
        issued = test_mode.demo.headers(idempotency_key="before-the-switch")
    for production in in_process(tmp_path, production=True):
        refused = production.client.post("/accesstoken/get", headers=DEMO_CREDENTIALS.token_headers())
        old_token = production.client.post("/epayment/v1/payments", json=create_body(new_reference()), headers=issued)
        own = production.demo  # a unit made as `kasse merchant create` makes one still gets its token

        assert refused.status_code == 401
        assert old_token.status_code == 401
        assert own.create(create_body(new_reference())).status_code == 201


def test_the_production_banner_names_no_demo_unit_no_demo_user_and_no_secret() -> None:
    shown = _banner(Settings(production=True), ("operator-token-made-just-now", True))

    assert not any(value in shown for u in DEMO_UNITS
                   for value in (u.client_secret, u.subscription_key, u.client_id, u.msn))
    assert not any(user.msisdn in shown for user in DEMO_USERS)
    assert "operator-token-made-just-now" not in shown
    assert "kasse merchant create" in shown


def test_the_test_mode_banner_off_loopback_prints_a_new_operator_token_once() -> None:
    exposed = Settings(host="0.0.0.0", database="var/x.db")

    first = _banner(exposed, ("token-made-just-now", True))
    later = _banner(exposed, ("token-made-just-now", False))

    assert "token-made-just-now" in first
    assert "token-made-just-now" not in later and "var/x-admin.token" in later


@pytest.mark.slow  # a real `kasse serve`: its banner and its log
def test_kasse_serve_in_production_seeds_nothing_prints_no_secret_and_keeps_the_pos_off(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path / "kasse.db", env={"KASSE_MODE": "production"}).start()
    try:
        token = httpx.post(f"{server.url}/accesstoken/get", headers=DEMO_CREDENTIALS.token_headers())
        till = httpx.get(f"{server.url}/pos", follow_redirects=False)
        made = CliRunner().invoke(main, ["merchant", "create", "--name", "Kiosk", "--db", str(server.database)],
                                  env={"KASSE_MODE": "production"})
    finally:
        server.stop()
    log = server.log.read_text()
    operator_token = (tmp_path / "kasse-admin.token").read_text().strip()

    assert token.status_code == 401
    assert till.status_code == 503 and "KASSE_POS_CLIENT_ID" in till.text
    assert len(re.findall(r"the POS is off: production mode needs KASSE_POS_MSN", log)) == 1
    assert not any(secret in log for secret in (*DEMO_SECRETS, operator_token))
    assert made.exit_code == 0 and '"clientSecret"' in made.output


@pytest.mark.slow  # a real `kasse serve` in production with a sales unit of the operator's own for the POS
def test_the_pos_in_production_sells_for_the_unit_named_by_kasse_pos_and_asks_staff_to_sign_in(
        tmp_path: Path) -> None:
    database = tmp_path / "kasse.db"
    for production in in_process(tmp_path, production=True):
        unit = production.demo.creds
    env = {"KASSE_MODE": "production", "KASSE_POS_MSN": unit.msn, "KASSE_POS_CLIENT_ID": unit.client_id,
           "KASSE_POS_CLIENT_SECRET": unit.client_secret, "KASSE_POS_SUBSCRIPTION_KEY": unit.subscription_key}
    server = ServerProcess(database, env=env).start()
    try:
        till = httpx.get(f"{server.url}/pos", follow_redirects=False)
        page = httpx.get(f"{server.url}/pos/signin")
    finally:
        server.stop()

    assert till.status_code == 303 and till.headers["location"].startswith("/pos/signin")
    assert page.status_code == 200 and "Staff sign-in" in page.text
    assert "the POS is off" not in server.log.read_text()
