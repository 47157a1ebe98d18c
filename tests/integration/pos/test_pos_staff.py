"""Staff sign-in at the till: required once kasse is exposed, roles per page, and `kasse pos staff`.

In-process; the POS pages checked here refuse or admit before the till would talk to the platform.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from kasse.cli import main
from kasse.pos.staff import Role
from kasse.pos.staff_store import StaffAccounts
from kasse.pos.store import SqlitePosStore
from tests.harness import InProcessKasse, in_process

CASHIER, MANAGER = ("Kari", "2468"), ("Mona", "correct horse")


def staff(tmp_path: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["pos", "staff", *args, "--db", str(tmp_path / "kasse.db")])
    return result.exit_code, result.output


@pytest.fixture
def exposed(tmp_path: Path) -> Iterator[InProcessKasse]:
    """kasse listening beyond loopback (in test mode), with a cashier and a manager."""
    assert staff(tmp_path, "add", CASHIER[0], "--pin", CASHIER[1])[0] == 0
    assert staff(tmp_path, "add", MANAGER[0], "--role", "manager", "--pin", MANAGER[1])[0] == 0
    yield from in_process(tmp_path, host="0.0.0.0")


def sign_in(kasse: InProcessKasse, name: str, secret: str) -> int:
    r = kasse.client.post("/pos/signin", data={"name": name, "pin": secret, "next": "/pos/sales"},
                          follow_redirects=False)
    return r.status_code


def test_off_loopback_every_till_page_asks_for_sign_in(exposed: InProcessKasse) -> None:
    page = exposed.client.get("/pos/sales", follow_redirects=False)
    api = exposed.client.post("/pos/api/terminals/till-1/cart", json={"productId": "latte"})
    refund = exposed.client.post("/pos/sales/pos-x/refund", data={"full": "1"}, follow_redirects=False)

    assert (page.status_code, page.headers["location"]) == (303, "/pos/signin?next=%2Fpos%2Fsales")
    assert (api.status_code, refund.status_code) == (401, 401)
    assert exposed.client.get("/pos/signin").status_code == 200
    assert exposed.client.get("/pos/shop/honesty-1").status_code == 200  # the customers' own page


def test_a_cashier_sells_but_may_not_refund_or_edit_the_catalogue(exposed: InProcessKasse) -> None:
    assert sign_in(exposed, *CASHIER) == 303

    sales = exposed.client.get("/pos/sales")
    refund = exposed.client.post("/pos/sales/pos-x/refund", data={"full": "1"}, follow_redirects=False)
    catalogue = exposed.client.post("/pos/catalogue", data={"id": "latte", "name": "Latte", "price": "1,00"})
    reconcile = exposed.client.get("/pos/reconcile")

    assert sales.status_code == 200 and "Kari · cashier" in sales.text
    closing = [exposed.client.get(path).status_code for path in ("/pos/end-of-day", "/pos/end-of-day.csv",
                                                                  "/pos/api/end-of-day")]
    assert (refund.status_code, catalogue.status_code, reconcile.status_code) == (403, 403, 403)
    assert closing == [403, 403, 403]
    assert "Managers only" in refund.text
    assert "Catalogue" not in sales.text.split("</nav>")[0]


def test_a_manager_may_edit_the_catalogue(exposed: InProcessKasse) -> None:
    assert sign_in(exposed, *MANAGER) == 303

    saved = exposed.client.post("/pos/catalogue", data={"id": "latte", "name": "Latte", "price": "1,00"},
                                follow_redirects=False)

    assert saved.status_code == 303 and 'value="1,00"' in exposed.client.get("/pos/catalogue").text


def test_the_session_cookie_is_http_only_same_site_and_secure_behind_https(exposed: InProcessKasse) -> None:
    plain = exposed.client.post("/pos/signin", data={"name": "kari", "pin": CASHIER[1]}, follow_redirects=False)
    proxied = exposed.client.post("/pos/signin", data={"name": "Kari", "pin": CASHIER[1]},
                                  headers={"X-Forwarded-Proto": "https"}, follow_redirects=False)

    for answer in (plain, proxied):
        cookie = answer.headers["set-cookie"]
        assert cookie.startswith("kasse_pos_session=") and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert "Secure" not in plain.headers["set-cookie"] and "Secure" in proxied.headers["set-cookie"]


def test_signing_out_ends_the_session(exposed: InProcessKasse) -> None:
    sign_in(exposed, *CASHIER)

    out = exposed.client.post("/pos/signout", follow_redirects=False)

    assert out.status_code == 303
    assert exposed.client.get("/pos", follow_redirects=False).status_code == 303


def test_a_wrong_pin_is_refused_and_repeated_failures_lock_the_account(exposed: InProcessKasse) -> None:
    failures = [sign_in(exposed, CASHIER[0], "0000") for _ in range(5)]

    locked = sign_in(exposed, *CASHIER)
    unknown = sign_in(exposed, "Nobody", "1234")

    assert failures == [401] * 5
    assert locked == 429
    assert unknown == 401
    assert sign_in(exposed, *MANAGER) == 303  # only that account is locked


def test_removing_a_staff_member_ends_their_sessions(exposed: InProcessKasse, tmp_path: Path) -> None:
    sign_in(exposed, *CASHIER)

    assert staff(tmp_path, "remove", "kari") == (0, "removed kari\n")
    assert exposed.client.get("/pos", follow_redirects=False).status_code == 303


@pytest.mark.parametrize("headers", [{"X-Forwarded-For": "192.0.2.7"}, {"Host": "kasse.evil.example:8000"}])
def test_on_loopback_only_requests_from_this_machine_open_as_the_demo_manager(
        kasse: InProcessKasse, headers: dict[str, str]) -> None:
    assert kasse.client.get("/pos/sales").status_code == 200
    assert kasse.client.get("/pos/sales", headers=headers, follow_redirects=False).status_code == 303


def test_the_cli_lists_adds_and_removes_staff_and_stores_no_pin(tmp_path: Path) -> None:
    added = staff(tmp_path, "add", "Ola Nordmann", "--role", "manager", "--pin", "918273")
    listed = staff(tmp_path, "list")

    assert added == (0, "added Ola Nordmann (manager)\n")
    assert listed[1].startswith("Ola Nordmann") and " manager " in listed[1]
    stored = (tmp_path / "kasse-pos.db").read_bytes()
    assert b"918273" not in stored and b"$argon2id$" in stored
    assert (tmp_path / "kasse-pos.db").stat().st_mode & 0o777 == 0o600


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["add", "Kari", "--pin", "12"], "'--pin'"),
        (["add", "Kari", "--pin", "12345678901234"], "'--pin'"),
        (["add", "Kari", "--pin", "short"], "'--pin'"),
        (["add", "  ", "--pin", "1234"], "NAME"),
        (["add", "x" * 41, "--pin", "1234"], "NAME"),
        (["add", "Kari", "--role", "owner", "--pin", "1234"], "'--role'"),
        (["remove", "Nobody"], "'--db'"),  # no POS database here at all
        (["list"], "'--db'"),
    ],
)
def test_the_cli_refuses_bad_input_naming_it_with_exit_status_2(tmp_path: Path, args: list[str], named: str) -> None:
    code, output = staff(tmp_path, *args)

    assert code == 2
    assert named in output and "Traceback" not in output


def test_list_and_remove_on_a_database_that_is_not_there_make_none(tmp_path: Path) -> None:
    # a typo in --db used to make an empty POS database there, and list said "no staff yet"
    listed = CliRunner().invoke(main, ["pos", "staff", "list", "--db", str(tmp_path / "typo.db")])
    removed = CliRunner().invoke(main, ["pos", "staff", "remove", "Kari", "--pos-db", str(tmp_path / "x-pos.db")])

    assert (listed.exit_code, removed.exit_code) == (2, 2)
    assert "there is no POS database" in listed.output and "'--db'" in listed.output
    assert "'--pos-db'" in removed.output
    assert list(tmp_path.iterdir()) == []


def test_removing_someone_who_is_not_there_names_them(tmp_path: Path) -> None:
    staff(tmp_path, "add", "Kari", "--pin", "1234")

    code, output = staff(tmp_path, "remove", "Nobody")

    assert code == 2 and "NAME" in output and "Nobody" in output


def test_a_taken_name_is_refused_whatever_its_letter_case(tmp_path: Path) -> None:
    staff(tmp_path, "add", "Kari", "--pin", "1234")

    assert staff(tmp_path, "add", "KARI", "--pin", "1234")[0] == 2


def test_the_pin_is_asked_for_hidden_and_twice_when_not_given(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["pos", "staff", "add", "Kari", "--db", str(tmp_path / "kasse.db")],
                                input="2468\n2468\n")

    assert result.exit_code == 0, result.output
    assert "2468" not in result.output


OLD_POS_SCHEMA = """
CREATE TABLE products (id TEXT PRIMARY KEY, name TEXT NOT NULL, price INTEGER NOT NULL, vat_rate INTEGER NOT NULL,
    position INTEGER NOT NULL);
CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
INSERT INTO products VALUES ('tea', 'Tea', 3000, 1500, 0);
INSERT INTO settings VALUES ('webhook_id', 'hook-1'), ('webhook_secret', 'the-old-secret');
"""


def test_a_pos_database_of_an_older_kasse_is_upgraded_and_its_webhook_secret_moved_out(tmp_path: Path) -> None:
    path = tmp_path / "kasse-pos.db"
    with sqlite3.connect(path) as old:
        old.executescript(OLD_POS_SCHEMA)
    path.chmod(0o644)

    store = SqlitePosStore(path)
    StaffAccounts(store).add("Kari", Role.CASHIER, "hash")
    with sqlite3.connect(path) as db:
        version = db.execute("PRAGMA user_version").fetchone()[0]
        kept = db.execute("SELECT key, value FROM settings").fetchall()
    secret_file = tmp_path / "kasse-pos-webhook.secret"

    assert version == 2 and kept == [("webhook_id", "hook-1")]
    assert [p.name for p in store.products()] == ["Tea"]
    assert store.webhook_secret() == "the-old-secret" == secret_file.read_text().strip()
    assert secret_file.stat().st_mode & 0o777 == 0o600 and path.stat().st_mode & 0o777 == 0o600
    store.close()
