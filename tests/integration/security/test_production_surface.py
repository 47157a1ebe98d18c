"""What a production kasse shows a stranger: no simulated wallet, no control plane, docs without either.

Every path is read from a test-mode app, so a wallet or control-plane route added later is checked too.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.harness import InProcessKasse, in_process
from tests.integration.security.routes import PATH_VALUES, every_endpoint


@pytest.fixture(scope="module")
def test_mode_paths(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[str, str]]:
    for kasse in in_process(tmp_path_factory.mktemp("test-mode")):
        endpoints = every_endpoint(kasse.client.app)
    values = {**PATH_VALUES, "path": "wallet.js"}  # a static file of the wallet's
    return [(e.method, re.sub(r"\{(\w+)\}", lambda m: values.get(m[1], "x"), e.path)) for e in endpoints]


@pytest.fixture(scope="module")
def production(tmp_path_factory: pytest.TempPathFactory) -> Iterator[InProcessKasse]:
    yield from in_process(tmp_path_factory.mktemp("production"), production=True)


def _paths(paths: list[tuple[str, str]], prefix: str) -> list[tuple[str, str]]:
    return [(method, path) for method, path in paths if path == prefix or path.startswith(prefix + "/")]


def test_every_wallet_route_is_gone_in_production(production: InProcessKasse,
                                                  test_mode_paths: list[tuple[str, str]]) -> None:
    wallet = _paths(test_mode_paths, "/wallet")
    production.client.cookies.update({"kasse_wallet_user": "4712345678", "kasse_csrf": "c" * 43})

    answers = {f"{m} {p}": production.client.request(m, p, follow_redirects=False,
                                                     headers={"x-csrf-token": "c" * 43}).status_code
               for m, p in wallet}

    assert len(wallet) > 15 and {"GET /wallet", "POST /wallet/logout", "GET /wallet/static/wallet.js"} <= set(answers)
    assert {path: status for path, status in answers.items() if status != 404} == {}


def test_every_control_plane_route_is_gone_in_production(production: InProcessKasse,
                                                         test_mode_paths: list[tuple[str, str]]) -> None:
    control = _paths(test_mode_paths, "/_kasse")

    answers = {f"{m} {p}": production.client.request(m, p, json={}).status_code for m, p in control}

    assert len(control) > 20
    assert {path: status for path, status in answers.items() if status != 404} == {}


def test_the_production_docs_name_no_kasse_wallet_or_console_route(production: InProcessKasse) -> None:
    document = production.client.get("/openapi.json").json()
    pages = [production.client.get(page).text for page in ("/docs", "/redoc")]

    assert [p for p in document["paths"] if p.startswith(("/_kasse", "/wallet", "/console", "/pos"))] == []
    assert all("/_kasse" not in page for page in pages)


def test_a_production_wallet_link_is_not_a_redirect_to_a_missing_page(tmp_path: Path) -> None:
    for production in in_process(tmp_path, production=True):  # a stranger: no cookie
        # before, /wallet sent them on to /wallet/login, which was a 404
        assert production.client.get("/wallet", follow_redirects=False).status_code == 404
