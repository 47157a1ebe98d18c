"""`kasse pos reconcile` finds the POS database the running server uses (#13.10); `kasse demo --url` (#13.12).

A kasse in this process on a real socket, its POS included; the commands run from another directory.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner, Result

from kasse.cli import main
from kasse.testing.server import KasseServer
from tests.harness import free_port, with_csrf


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KasseServer]:
    running = KasseServer.start(tmp_path_factory.mktemp("cli-pos") / "kasse.db")
    try:
        yield running
    finally:
        running.stop()


def kasse(*args: str, cwd: Path) -> Result:
    env = {"KASSE_URL": None, "KASSE_POS_DATABASE": None, "KASSE_DATABASE": None, "KASSE_DATABASE_URL": None}
    with contextlib.chdir(cwd):
        return CliRunner().invoke(main, list(args), env=env)


def pending_sale(server: KasseServer, terminal: str) -> str:
    """Ring up a coffee and push it to a customer who has not answered yet; return the sale's reference."""
    base = f"/pos/api/terminals/{terminal}"
    with httpx.Client(base_url=server.url, trust_env=False) as till:
        with_csrf(till)  # as the till page does
        till.post(f"{base}/cart", json={"productId": "espresso", "delta": 1}).raise_for_status()
        paid = till.post(f"{base}/pay", json={"method": "phone", "value": "123 45 678"})
    reference: str = paid.json()["sale"]["reference"]
    return reference


def test_reconcile_without_a_db_reads_the_pos_database_of_the_running_server(server: KasseServer,
                                                                             tmp_path: Path) -> None:
    reference = pending_sale(server, "reconcile-1")

    result = kasse("pos", "reconcile", "--url", server.url, cwd=tmp_path)  # not where the server keeps anything

    assert result.exit_code == 1, result.output
    assert reference in result.output and "the sale is still pending" in result.output
    assert result.output.splitlines()[-1].endswith("sales compared, 1 difference(s)")
    assert not result.output.startswith("0 sales compared")
    assert list(tmp_path.iterdir()) == []


def test_reconcile_with_the_platform_down_says_it_cannot_reach_it(server: KasseServer, tmp_path: Path) -> None:
    pending_sale(server, "reconcile-2")
    pos_db = httpx.get(f"{server.url}/pos/api/database").json()["path"]
    down = f"http://127.0.0.1:{free_port()}"

    told = kasse("pos", "reconcile", "--url", down, "--pos-db", pos_db, cwd=tmp_path)
    asked = kasse("pos", "reconcile", "--url", down, cwd=tmp_path)

    for result in (told, asked):
        lines = result.output.strip().splitlines()
        assert result.exit_code == 2 and len(lines) == 1, result.output
        assert lines[0].startswith("Error: cannot reach ") and down in lines[0]
    assert "the platform" in told.output and "differences" not in told.output


def test_reconcile_refuses_a_named_pos_database_that_is_not_there(tmp_path: Path) -> None:
    result = kasse("pos", "reconcile", "--pos-db", str(tmp_path / "typo-pos.db"), cwd=tmp_path)

    assert result.exit_code == 2
    assert result.output == f"Error: Invalid value for '--pos-db': there is no POS database at {tmp_path}/typo-pos.db\n"


def test_the_demo_runs_against_a_running_server_and_leaves_its_payments_there(server: KasseServer,
                                                                            tmp_path: Path) -> None:
    result = kasse("demo", "--url", server.url, cwd=tmp_path)

    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"kasse demo: the server at {server.url}")
    assert result.output.count("equals the sale total: PAID") == 4
    sales = httpx.get(f"{server.url}/pos/sales").text
    reference = next(word for word in result.output.split() if word.startswith("pos-demo1-"))
    assert reference in sales  # the demo's sales stay on the server


def test_the_demo_says_when_the_server_is_not_there(tmp_path: Path) -> None:
    result = kasse("demo", "--url", f"http://127.0.0.1:{free_port()}", cwd=tmp_path)

    assert result.exit_code == 2 and result.output.startswith("Error: cannot reach kasse at")
