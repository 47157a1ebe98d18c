"""The front door at `/`: what is running and where everything is; in production, nothing but the docs."""

from __future__ import annotations

import html
import re
import shutil
import subprocess
from pathlib import Path

import httpx
import orjson
import pytest

from kasse.cli.serve import _banner
from kasse.console.front_door import PLACES
from kasse.settings import DEMO, Settings
from tests.harness import InProcessKasse, ServerProcess, in_process


def test_the_front_door_says_what_runs_and_links_every_place(kasse: InProcessKasse) -> None:
    page = kasse.client.get("/")

    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    text = page.text
    assert "test" in text and ("SQLite" in text or "PostgreSQL" in text)
    assert re.search(r"<dt>Sales units</dt><dd>2</dd>", text)  # the demo unit and the till's own
    for path in ("/console", "/pos", "/pos/display/till-1", "/wallet", "/pos/vending/7", "/pos/shop/honesty-1/qr",
                 "/docs"):
        assert f'href="{path}"' in text
    for secret in (DEMO.msn, DEMO.client_id, DEMO.client_secret, DEMO.subscription_key):
        assert secret in text


def test_production_s_front_door_reveals_nothing_but_the_docs(tmp_path: Path) -> None:
    for production in in_process(tmp_path, production=True):
        page = production.client.get("/")

        assert page.status_code == 200
        assert re.findall(r'href="([^"]+)"', page.text) == ["/docs"]
        for hidden in ("SQLite", DEMO.client_id, DEMO.client_secret, DEMO.subscription_key, "/console", "/wallet",
                       str(tmp_path)):
            assert hidden not in page.text


def test_the_banner_lists_the_places_of_the_front_door_and_production_s_lists_none() -> None:
    shown = _banner(Settings(port=8123))
    production = _banner(Settings(production=True, port=8123))

    assert "http://127.0.0.1:8123/   " in shown
    assert all(f"http://127.0.0.1:8123{path}" in shown for _, path, _ in PLACES)
    assert "/console" not in production and "/wallet" not in production and "/pos/display" not in production


@pytest.mark.skipif(not (shutil.which("curl") and shutil.which("bash")), reason="needs curl and bash")
def test_the_places_are_pages_and_the_first_payment_works_as_written(server: ServerProcess) -> None:
    for _, path, _ in PLACES:  # the POS's pages call the platform, so a real server
        assert httpx.get(f"{server.url}{path}", timeout=30, follow_redirects=True).status_code == 200, path
    page = httpx.get(f"{server.url}/", timeout=10)
    snippet = html.unescape(re.search(r'<pre id="first-payment">(.*?)</pre>', page.text, re.S).group(1))  # type: ignore[union-attr]

    ran = subprocess.run(["bash", "-c", snippet], capture_output=True, timeout=60, check=False)

    assert ran.returncode == 0, ran.stderr
    created = orjson.loads(ran.stdout)
    assert created["reference"].startswith("first-") and "redirectUrl" in created
    listed = httpx.get(f"{server.url}/console/payments", params={"q": created["reference"]}, timeout=10)
    assert f'data-reference="{created["reference"]}"' in listed.text


def test_an_exposed_test_instance_shows_strangers_only_where_things_are(tmp_path: Path) -> None:
    for exposed in in_process(tmp_path, host="0.0.0.0"):
        token = exposed.container.settings.admin_token
        stranger = exposed.client.get("/")
        operator = exposed.client.get("/", headers={"Authorization": f"Bearer {token}"})

        assert stranger.status_code == 200 and 'href="/console"' in stranger.text
        for hidden in (DEMO.client_secret, DEMO.subscription_key, "first-payment", "SQLite"):
            assert hidden not in stranger.text
        assert DEMO.client_secret in operator.text and "first-payment" in operator.text
