"""Every state-changing route of the pages and the control plane refuses a cross-site form, however it is sent.

The routes are read from the app (tests/integration/security/routes.py), so one added later is covered. Each gets
the three bodies an HTML form can send (text/plain, urlencoded, multipart) from a page of another site, riding on the
victim's cookies but without the CSRF token it cannot read; each must be a 403 that changed nothing.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.harness import TEST_DATABASE_URL, InProcessKasse, in_process
from tests.integration.security.routes import PATH_VALUES, Endpoint, every_endpoint

SAFE = {"GET", "HEAD", "OPTIONS"}
BROWSER_PAGES = ("/pos", "/wallet", "/console")
SIGNED_BY_THE_PLATFORM = {"/pos/webhooks"}  # no cookie, no browser: checked by its HMAC signature instead
FORMS: dict[str, dict[str, Any]] = {
    "text/plain": {"content": b'{"productId": "latte", "delta": 5, "x": "=1"}',
                   "headers": {"content-type": "text/plain"}},
    "urlencoded": {"data": {"full": "1", "amount": "5,00", "msisdn": "4712345678", "token": "x"}},
    "multipart": {"data": {"full": "1", "amount": "5,00"}, "files": {"image": ("qr.png", b"\x89PNG", "image/png")}},
}
# what a browser sends for a page of another site (modern, old, sandboxed), and what it never can: the token
FOREIGN = {
    "other site": {"Origin": "http://evil.example", "Sec-Fetch-Site": "cross-site"},
    "sibling site": {"Sec-Fetch-Site": "same-site"},
    "sandboxed page": {"Origin": "null"},
    "another port": {"Origin": "http://127.0.0.1:8001"},
}
NO_ORIGIN_HEADERS = {"browser without fetch metadata": {}}


@pytest.fixture(scope="module")
def kasse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[InProcessKasse]:
    for found in in_process(tmp_path_factory.mktemp("cross-site-routes")):
        found.client.get("/pos")  # the victim has been on kasse: its cookies ride along with every attack below
        found.client.headers.pop("x-csrf-token", None)  # but the token goes only where kasse's own pages put it
        assert "kasse_csrf" in found.client.cookies
        yield found


def _changing(kasse: InProcessKasse, prefixes: tuple[str, ...]) -> list[Endpoint]:
    return [e for e in every_endpoint(kasse.client.app) if e.method not in SAFE and e.path.startswith(prefixes)
            and e.path not in SIGNED_BY_THE_PLATFORM and not e.refuses_method]


def _url(endpoint: Endpoint) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: PATH_VALUES.get(m[1], "x"), endpoint.path)


# what records requests rather than state: the request log keeps the API calls the attack itself makes
NOT_STATE = frozenset({"request_log"})


def _snapshot(kasse: InProcessKasse) -> dict[str, list[str]]:
    """Every row of the platform's and the POS's SQLite databases, but for the request log."""
    found: dict[str, list[str]] = {}
    database = Path(kasse.container.settings.database)
    for path in (database, database.with_name(database.stem + "-pos.db")):
        if not path.exists():
            continue
        with sqlite3.connect(path) as db:
            tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
                      if r[0] not in NOT_STATE]
            for table in tables:
                found[f"{path.name}:{table}"] = sorted(map(repr, db.execute(f"SELECT * FROM {table}")))
    return found


def _attack(kasse: InProcessKasse, endpoints: list[Endpoint], senders: dict[str, dict[str, str]]) -> dict[str, int]:
    answers = {}
    for endpoint in endpoints:
        for who, headers in senders.items():
            for kind, form in FORMS.items():
                options = {k: v for k, v in form.items() if k != "headers"}
                r = kasse.client.request(endpoint.method, _url(endpoint), follow_redirects=False,
                                         headers={**form.get("headers", {}), **headers}, **options)
                answers[f"{endpoint} from {who} as {kind}"] = r.status_code
    return answers


@pytest.mark.skipif(TEST_DATABASE_URL is not None, reason="reads the SQLite files to see that nothing changed")
def test_every_page_route_that_changes_something_refuses_a_cross_site_form(kasse: InProcessKasse) -> None:
    endpoints = _changing(kasse, BROWSER_PAGES)
    before = _snapshot(kasse)

    answers = _attack(kasse, endpoints, {**FOREIGN, **NO_ORIGIN_HEADERS})

    assert len(endpoints) >= 20
    assert {"POST /pos/sales/{reference}/refund", "POST /pos/catalogue", "POST /pos/api/terminals/{terminal}/pay",
            "POST /wallet/pay/{msn}/{reference}/{action}", "POST /console/signin"} <= {str(e) for e in endpoints}
    assert {attack: status for attack, status in answers.items() if status != 403} == {}
    assert _snapshot(kasse) == before


@pytest.mark.skipif(TEST_DATABASE_URL is not None, reason="reads the SQLite files to see that nothing changed")
def test_every_control_plane_route_that_changes_something_refuses_a_page_of_another_site(
        kasse: InProcessKasse) -> None:
    endpoints = _changing(kasse, ("/_kasse/",))
    before = _snapshot(kasse)

    answers = _attack(kasse, endpoints, FOREIGN)

    assert len(endpoints) >= 20
    assert {attack: status for attack, status in answers.items() if status != 403} == {}
    assert _snapshot(kasse) == before
