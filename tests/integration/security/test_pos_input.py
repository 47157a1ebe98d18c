"""Whatever a browser, a script or a stranger sends the POS, it answers with a clear 4xx and writes nothing.

A real till (an in-process server on a loopback port, its POS talking to it through the SDK), opened as the
demo manager the way `make run` opens it, so every route is reachable and only its input is wrong.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from kasse.pos.points import malformed_point
from kasse.testing.server import KasseServer
from tests.harness import DEMO_CREDENTIALS, ApiSession, in_process, with_csrf

# typed into any field: empty, out of range, huge, not a number, negative, unicode junk, markup
JUNK = ["", " ", "-1", "-0", "0", "abc", "1e309", "NaN", "99999999999999999999999", "١٢٣", "１２", "\x00",
        "💥" * 50, "a" * 5000, "<script>", "1,5", "1.005", "0,00", "9999999,99", "\u202e"]
# a till, machine or shop named in a shape none can have; each was stored or sent to the platform (a 500)
BAD_POINTS = ["x" * 31, "💥", "a b", "<script>", "1,5", "9999999,99", "a.b", "æøå", "%00"]


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KasseServer]:
    server = KasseServer.start(tmp_path_factory.mktemp("pos-input") / "kasse.db")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def till(shop: KasseServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=shop.url, timeout=30.0, trust_env=False) as client:
        yield with_csrf(client)


def pos_rows(shop: KasseServer) -> dict[str, list[Any]]:
    """Every row of the POS's database but its sessions and webhook registration (its loop's, any time)."""
    assert shop.container is not None
    path = Path(shop.container.settings.database).with_name("kasse-pos.db")
    with sqlite3.connect(path) as db:
        tables = [row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        rows = {t: sorted(map(repr, db.execute(f"SELECT * FROM {t}"))) for t in tables if t != "staff_sessions"}
    rows["settings"] = [row for row in rows["settings"] if not row.startswith("('webhook_id'")]
    return rows


def callback_qrs(shop: KasseServer) -> list[str]:
    with httpx.Client(base_url=shop.url, trust_env=False) as platform:
        demo = ApiSession(platform, DEMO_CREDENTIALS)
        found = platform.get("/qr/v1/merchant-callback", headers=demo.headers()).json()
    return sorted(qr["merchantQrId"] for qr in found)


def test_the_point_rule_is_what_the_routes_check() -> None:
    assert not malformed_point("/pos/api/terminals/till-1/cart")
    assert not malformed_point("/pos/vending/7")
    assert not malformed_point("/pos/shop/honesty-1/receipt/pos-x")
    assert not malformed_point("/pos/sales/anything at all")
    assert malformed_point("/pos/till/" + "x" * 31)
    assert malformed_point("/pos/api/vending/💥/qr")


@pytest.mark.parametrize("name", BAD_POINTS)
def test_a_point_of_sale_with_a_name_none_can_have_is_404_and_nothing_is_written(
        shop: KasseServer, till: httpx.Client, name: str) -> None:
    before, qrs = pos_rows(shop), callback_qrs(shop)
    calls = [("POST", f"/pos/api/terminals/{name}/cart", {"json": {"productId": "latte", "delta": 1}}),
             ("POST", f"/pos/api/terminals/{name}/pay", {"json": {"method": "qr"}}),
             ("POST", f"/pos/api/terminals/{name}/clear", {}),
             ("GET", f"/pos/till/{name}", {}), ("GET", f"/pos/display/{name}", {}),
             ("GET", f"/pos/vending/{name}", {}), ("GET", f"/pos/api/vending/{name}/qr", {}),
             ("POST", f"/pos/api/vending/{name}/choose", {"json": {"item": "cola"}}),
             ("GET", f"/pos/shop/{name}", {}), ("GET", f"/pos/shop/{name}/qr", {}),
             ("POST", f"/pos/shop/{name}/buy", {"data": {"item": "cola"}})]

    statuses = {path: till.request(method, path, **kw).status_code for method, path, kw in calls}

    assert set(statuses.values()) == {404}, statuses
    assert pos_rows(shop) == before
    assert callback_qrs(shop) == qrs


def test_a_long_but_plain_name_still_works(till: httpx.Client) -> None:
    name = "t" * 30

    cart = till.post(f"/pos/api/terminals/{name}/cart", json={"productId": "latte", "delta": 1})

    assert cart.status_code == 200 and cart.json()["cart"]["count"] == 1


@pytest.mark.parametrize("field", ["name", "price", "vat_rate", "id"])
def test_a_catalogue_entry_with_any_junk_field_is_refused_with_a_message(shop: KasseServer, till: httpx.Client,
                                                                          field: str) -> None:
    good = {"name": "Audit bun", "price": "42,00", "vat_rate": "1500"}
    answers = []
    for value in JUNK:
        before = pos_rows(shop)["products"]
        r = till.post("/pos/catalogue", data={**good, field: value}, follow_redirects=False)
        answers.append((value, r.status_code, r.headers.get("location", "")))
        if "error=" in r.headers.get("location", ""):
            assert pos_rows(shop)["products"] == before, value

    assert [a for a in answers if a[1] >= 500] == []
    refused = {value for value, _, location in answers if "error=" in location}
    if field == "vat_rate":  # an empty field chooses the default rate; 0 % is a rate; nothing else is
        assert refused == set(JUNK) - {"", "0"}
    if field == "id":
        assert refused >= {"a" * 5000, "💥" * 50, "<script>", "\x00", "1,5"}


def test_a_long_product_name_is_cut_to_the_catalogue_column_and_its_id_stays_short(shop: KasseServer,
                                                                                   till: httpx.Client) -> None:
    r = till.post("/pos/catalogue", data={"name": "Bun " * 1000, "price": "10,00", "vat_rate": "1500"},
                  follow_redirects=False)

    assert r.status_code == 303 and "error" not in r.headers["location"]
    ids = [row for row in pos_rows(shop)["products"] if "'bun-bun" in row]
    assert len(ids) == 1 and "'bun-bun-bun-bun-bun-bun-bun-bun-bun-bun'" in ids[0]


def test_a_vending_choice_that_is_not_json_is_a_400(shop: KasseServer, till: httpx.Client) -> None:
    before = pos_rows(shop)

    answers = [till.post("/pos/api/vending/7/choose", content=body, headers={"content-type": "application/json"})
               for body in (b"\xff", b"nul", b"{", b'{"item": ')]

    assert [a.status_code for a in answers] == [400] * 4
    assert pos_rows(shop) == before


def test_no_pos_form_or_route_answers_junk_with_a_5xx(till: httpx.Client) -> None:
    wrong = []
    for value in JUNK:
        calls: list[tuple[str, str, dict[str, Any]]] = [
            ("POST", "/pos/api/terminals/audit-1/cart", {"json": {"productId": value, "delta": value}}),
            ("POST", "/pos/api/terminals/audit-1/pay", {"json": {"method": "phone", "value": value}}),
            ("POST", "/pos/api/terminals/audit-1/pay", {"json": {"method": value, "value": value}}),
            ("POST", "/pos/sales/pos-nonexistent/refund", {"data": {"amount": value}}),
            ("POST", "/pos/vending/7/choose", {"data": {"item": value}}),
            ("POST", "/pos/api/vending/7/choose", {"json": {"item": value}}),
            ("POST", "/pos/shop/honesty-1/buy", {"data": {"item": value}}),
            ("GET", "/pos/end-of-day", {"params": {"date": value}}),
            ("GET", "/pos/end-of-day.csv", {"params": {"date": value}}),
            ("POST", "/pos/signin", {"data": {"name": value, "pin": value}}),
        ]
        for method, path, kw in calls:
            r = till.request(method, path, **kw)
            if r.status_code >= 500 and not (r.status_code == 503 and "tryLater" in r.text + "try again"):
                wrong.append((method, path, value[:20], r.status_code))
        till.post("/pos/api/terminals/audit-1/cancel")

    assert wrong == []


def test_off_loopback_a_trust_shops_printable_qr_needs_staff(tmp_path: Path) -> None:
    for kasse in in_process(tmp_path, host="0.0.0.0"):
        page = kasse.client.get("/pos/shop/honesty-1", follow_redirects=False)
        qr = kasse.client.get("/pos/shop/honesty-1/qr", follow_redirects=False)

        assert page.status_code == 200  # the customers' own page stays open
        assert (qr.status_code, qr.headers["location"]) == (303, "/pos/signin?next=%2Fpos%2Fshop%2Fhonesty-1%2Fqr")
