"""`kasse merchant`, `kasse user` and `kasse fault` against a running kasse, as every other command talks to it.

One kasse in this process on a real socket for the module (a few hundred ms); each test uses its own MSN or
phone number. Run from another directory, the commands still reach that server's database (#13.9).
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner, Result

from kasse.cli import main
from kasse.testing.server import KasseServer
from tests.harness import free_port


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KasseServer]:
    running = KasseServer.start(tmp_path_factory.mktemp("cli-control") / "kasse.db")
    try:
        yield running
    finally:
        running.stop()


def kasse(*args: str, url: str, cwd: Path | None = None) -> Result:
    env = {"KASSE_URL": url, "KASSE_MODE": None, "KASSE_DATABASE": None, "KASSE_DATABASE_URL": None}
    with contextlib.chdir(cwd or Path.cwd()):  # another directory: no ./var/kasse.db of the server's there
        return CliRunner().invoke(main, list(args), env=env)


def one_line(result: Result) -> str:
    lines = result.output.strip().splitlines()
    assert result.exit_code == 2 and len(lines) == 1 and "Traceback" not in result.output, result.output
    return lines[0]


def test_merchant_create_makes_the_unit_on_the_running_server_from_any_directory(server: KasseServer,
                                                                                 tmp_path: Path) -> None:
    made = kasse("merchant", "create", "--name", "Kiosk", "--market", "DK", "--msn", "31337", url=server.url,
                 cwd=tmp_path)

    assert made.exit_code == 0, made.output
    creds = json.loads(made.output)
    assert (creds["msn"], creds["name"], creds["market"]) == ("31337", "Kiosk", "DK")
    token = httpx.post(f"{server.url}/accesstoken/get", headers={
        "client_id": creds["clientId"], "client_secret": creds["clientSecret"],
        "Ocp-Apim-Subscription-Key": creds["subscriptionKey"], "Merchant-Serial-Number": "31337"})
    assert token.status_code == 200  # the server knows them: not a stray ./var/kasse.db
    assert list(tmp_path.rglob("*.db")) == []


def test_merchant_list_shows_every_unit_without_secrets(server: KasseServer) -> None:
    made = json.loads(kasse("merchant", "create", "--msn", "31338", "--no-push", url=server.url).output)

    listed = kasse("merchant", "list", url=server.url)
    as_json = json.loads(kasse("merchant", "list", "--json", url=server.url).output)

    assert listed.exit_code == 0
    line = next(line for line in listed.output.splitlines() if line.startswith("31338 "))
    assert made["clientId"] in line and "partial-capture" in line and "push," not in line
    assert made["clientSecret"] not in listed.output and made["subscriptionKey"] not in listed.output
    assert {"123456", "31338"} <= {m["msn"] for m in as_json}


def test_a_taken_msn_is_the_servers_refusal_naming_msn(server: KasseServer) -> None:
    kasse("merchant", "create", "--msn", "31339", url=server.url)

    said = one_line(kasse("merchant", "create", "--msn", "31339", url=server.url))

    assert said == "Error: Invalid value for '--msn': a sales unit with MSN 31339 already exists"


def test_user_create_and_list_on_the_running_server(server: KasseServer, tmp_path: Path) -> None:
    made = kasse("user", "create", "4799001122", "--name", "Ada Lovelace", "--birth-date", "1990-12-10",
                 url=server.url, cwd=tmp_path)
    listed = kasse("user", "list", url=server.url)

    assert made.exit_code == 0, made.output
    assert json.loads(made.output)["personalQr"]["clearText"].endswith("/4799001122?v=1")
    assert httpx.get(f"{server.url}/_kasse/users/4799001122").json()["name"] == "Ada Lovelace"
    assert any(line.startswith("4799001122 ") and "Ada Lovelace" in line and "born 1990-12-10" in line
               for line in listed.output.splitlines())


def test_a_birth_date_in_kasses_future_is_refused_naming_the_option(server: KasseServer) -> None:
    said = one_line(kasse("user", "create", "4799001133", "--birth-date", "2099-01-01", url=server.url))

    assert said.startswith("Error: Invalid value for '--birth-date': a birth date cannot be in the future")
    assert httpx.get(f"{server.url}/_kasse/users/4799001133").status_code == 404


def test_fault_arm_for_an_unknown_unit_shows_the_servers_answer(server: KasseServer) -> None:
    said = one_line(kasse("fault", "arm", "webhook.drop", "--msn", "999999", url=server.url))

    assert said == "Error: Invalid value for '--msn': No sales unit has MSN 999999"


def test_the_commands_say_when_no_server_answers(tmp_path: Path) -> None:
    nobody = f"http://127.0.0.1:{free_port()}"

    for args in (("merchant", "create"), ("merchant", "list"), ("user", "create", "4799001144"), ("user", "list")):
        result = kasse(*args, url=nobody, cwd=tmp_path)
        assert result.exit_code == 1 and "cannot reach kasse" in result.output and "Traceback" not in result.output
    assert list(tmp_path.rglob("*.db")) == []


def test_the_direct_mode_refuses_a_database_that_does_not_exist(tmp_path: Path) -> None:
    for args in (("merchant", "create"), ("merchant", "list"), ("user", "create", "4799001155")):
        said = one_line(kasse(*args, "--db", str(tmp_path / "typo.db"), url="http://127.0.0.1:1"))
        assert "'--db'" in said and "there is no database at" in said
    assert not (tmp_path / "typo.db").exists()


def test_the_direct_mode_writes_an_existing_database(tmp_path: Path) -> None:
    database = tmp_path / "kasse.db"
    assert kasse("db", "upgrade", "--db", str(database), url="http://127.0.0.1:1").exit_code == 0

    made = kasse("merchant", "create", "--msn", "4242", "--db", str(database), url="http://127.0.0.1:1")
    user = kasse("user", "create", "4799001166", "--db", str(database), url="http://127.0.0.1:1")
    listed = kasse("merchant", "list", "--db", str(database), url="http://127.0.0.1:1")

    assert made.exit_code == 0 and json.loads(made.output)["clientSecret"]
    assert user.exit_code == 0 and json.loads(user.output)["msisdn"] == "4799001166"
    assert [line.split()[0] for line in listed.output.splitlines()] == ["4242"]  # nothing seeded beside it


def test_production_mode_has_no_control_plane_so_merchant_create_writes_the_store(tmp_path: Path) -> None:
    database = tmp_path / "kasse.db"
    kasse("db", "upgrade", "--db", str(database), url="http://127.0.0.1:1")
    runner = CliRunner()
    env = {"KASSE_MODE": "production", "KASSE_DATABASE": str(database), "KASSE_DATABASE_URL": None,
           "KASSE_URL": None}

    made = runner.invoke(main, ["merchant", "create", "--name", "Café Kasse", "--msn", "654321"], env=env)
    refused = runner.invoke(main, ["merchant", "create", "--msn", "654321"], env=env)

    assert made.exit_code == 0, made.output
    assert json.loads(made.output)["msn"] == "654321"
    assert refused.exit_code == 2 and "'KASSE_DATABASE'" not in refused.output and "'--msn'" in refused.output


@contextlib.contextmanager
def not_kasse() -> Iterator[str]:
    """A web server on a free loopback port that answers anything with an HTML page; yields its URL."""
    import http.server
    import threading

    class NotKasse(http.server.BaseHTTPRequestHandler):  # a web server that answers anything with an HTML page
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("content-type", "text/html")
            self.end_headers()
            self.wfile.write(b"<html><body>my shop</body></html>")

        def do_POST(self) -> None:
            self.do_GET()

        def log_message(self, *args: object) -> None:
            pass

    other = http.server.ThreadingHTTPServer(("127.0.0.1", 0), NotKasse)
    threading.Thread(target=other.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{other.server_address[1]}"
    finally:
        other.shutdown()
        other.server_close()


@pytest.mark.parametrize("args", [("merchant", "create"), ("merchant", "list"), ("user", "create", "4799887711"),
                                  ("clock", "advance", "1d"), ("ledger", "list"), ("fault", "list")],
                         ids=lambda a: " ".join(a))
def test_a_url_that_is_not_kasse_is_one_line_not_a_traceback(args: tuple[str, ...]) -> None:
    with not_kasse() as url:
        result = kasse(*args, url=url)

    lines = result.output.strip().splitlines()
    assert result.exit_code == 1 and "Traceback" not in result.output, result.output
    assert len(lines) == 1 and "not answer like kasse" in lines[0], result.output


def test_listen_to_a_url_that_is_not_kasse_is_one_line_without_its_page() -> None:
    with not_kasse() as url:
        result = kasse("listen", url=url)

    lines = result.output.strip().splitlines()
    assert result.exit_code == 1 and "Traceback" not in result.output, result.output
    assert len(lines) == 1 and "<html>" not in lines[0] and "my shop" in lines[0], result.output
