"""A shared sandbox needs a door: `/_kasse` and `/console` ask for the operator token once kasse is exposed.

On loopback in test mode nothing changes. `kasse clock` (talk_to) and `kasse.testing` send $KASSE_ADMIN_TOKEN;
`kasse listen` and the event stream ask for the sales unit's own credentials instead.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from kasse import live_streams
from kasse.cli import main
from kasse.testing.server import KasseServer
from tests.harness import InProcessKasse, in_process

TOKEN_FILE = "kasse-admin.token"


@pytest.fixture
def exposed(tmp_path: Path) -> Iterator[InProcessKasse]:
    yield from in_process(tmp_path, host="0.0.0.0")


def operator_token(tmp_path: Path) -> str:
    return (tmp_path / TOKEN_FILE).read_text().strip()


def test_off_loopback_the_control_plane_wants_the_operator_token(exposed: InProcessKasse, tmp_path: Path) -> None:
    token = operator_token(tmp_path)

    anonymous = exposed.client.get("/_kasse/clock")
    wrong = exposed.client.get("/_kasse/clock", headers={"Authorization": "Bearer not-the-token"})
    changed = exposed.client.post("/_kasse/merchants", json={})
    right = exposed.client.get("/_kasse/clock", headers={"Authorization": f"Bearer {token}"})

    assert (anonymous.status_code, wrong.status_code, changed.status_code) == (401, 401, 401)
    assert anonymous.headers["content-type"].startswith("application/problem+json")
    assert "KASSE_ADMIN_TOKEN" in anonymous.json()["detail"]
    assert right.status_code == 200


def test_the_token_is_made_once_kept_0600_and_used_again_after_a_restart(tmp_path: Path) -> None:
    from kasse.bootstrap import operator_token as token_of
    from kasse.settings import Settings

    settings = Settings(host="0.0.0.0", database=str(tmp_path / "kasse.db"))
    made, again = token_of(settings), token_of(settings)
    for restarted in in_process(tmp_path, host="0.0.0.0"):
        used = restarted.container.settings.admin_token

    assert made is not None and made[1] is True
    assert again == (made[0], False) and used == made[0] == operator_token(tmp_path)
    assert (tmp_path / TOKEN_FILE).stat().st_mode & 0o777 == 0o600


def test_kasse_admin_token_from_the_environment_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from kasse.bootstrap import operator_token as made
    from kasse.settings import Settings

    monkeypatch.setenv("KASSE_ADMIN_TOKEN", "chosen-by-the-operator")
    settings = Settings.from_env(host="0.0.0.0", database=str(tmp_path / "kasse.db"))

    assert made(settings) == ("chosen-by-the-operator", False)
    assert not (tmp_path / TOKEN_FILE).exists()


def test_a_browser_signs_in_with_the_token_and_gets_a_cookie(exposed: InProcessKasse, tmp_path: Path) -> None:
    door = exposed.client.get("/console", follow_redirects=False)
    refused = exposed.client.post("/console/signin", data={"token": "guess", "next": "/_kasse/clock"})
    form = {"token": operator_token(tmp_path), "next": "/_kasse/clock"}
    signed_in = exposed.client.post("/console/signin", data=form, follow_redirects=False)
    cookie = signed_in.headers["set-cookie"]

    assert (door.status_code, door.headers["location"]) == (303, "/console/signin?next=%2Fconsole")
    assert refused.status_code == 401
    assert (signed_in.status_code, signed_in.headers["location"]) == (303, "/_kasse/clock")
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and operator_token(tmp_path) not in cookie
    assert exposed.client.get("/_kasse/clock").status_code == 200


def test_the_sales_units_event_stream_keeps_its_own_credentials_off_loopback(exposed: InProcessKasse,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(live_streams, "LIFETIME", 1.0)  # the test client reads the stream to its end
    unit = exposed.demo

    assert exposed.client.get("/_kasse/events/stream").status_code == 401
    assert exposed.client.get("/_kasse/events/stream", headers=unit.headers()).status_code == 200


def test_on_loopback_in_test_mode_there_is_no_door(kasse: InProcessKasse, tmp_path: Path) -> None:
    assert kasse.client.get("/_kasse/clock").status_code == 200
    assert not (tmp_path / TOKEN_FILE).exists()


@pytest.mark.parametrize("headers", [{"Host": "rebound.evil.example:8000"}, {"X-Forwarded-For": "192.0.2.7"}])
def test_on_loopback_a_request_from_elsewhere_finds_the_door_shut(kasse: InProcessKasse,
                                                                  headers: dict[str, str]) -> None:
    # a DNS-rebinding page names its own host; a proxy in front forwards other machines' requests
    refused = kasse.client.post("/_kasse/clock/advance", json={"duration": "1h"}, headers=headers)

    assert refused.status_code == 401 and "KASSE_PUBLIC_URL" in refused.json()["detail"]


@pytest.fixture
def shared(tmp_path: Path) -> Iterator[KasseServer]:
    """A shared sandbox: listening on loopback here, but published at another host (a proxy in front)."""
    server = KasseServer.start(tmp_path / "kasse.db", public_url="http://sandbox.example")
    try:
        yield server
    finally:
        server.stop()


def test_the_clock_command_sends_kasse_admin_token(shared: KasseServer, tmp_path: Path) -> None:
    cli = CliRunner()

    without = cli.invoke(main, ["clock", "now", "--url", shared.url], env={"KASSE_ADMIN_TOKEN": ""})
    wrong = cli.invoke(main, ["clock", "now", "--url", shared.url], env={"KASSE_ADMIN_TOKEN": "not-it"})
    right = cli.invoke(main, ["clock", "now", "--url", shared.url], env={"KASSE_ADMIN_TOKEN": operator_token(tmp_path)})

    assert without.exit_code == 1 and "asks for the operator token: set KASSE_ADMIN_TOKEN" in without.output
    assert wrong.exit_code == 1 and "refused the operator token" in wrong.output
    assert right.exit_code == 0, right.output


def test_kasse_testing_sends_kasse_admin_token(shared: KasseServer, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KASSE_ADMIN_TOKEN", operator_token(tmp_path))

    remote = KasseServer.remote(shared.url)

    assert remote.control.call("GET", "/_kasse/clock")["frozen"] is False
    remote.stop()


def test_kasse_listen_with_wrong_credentials_says_so(shared: KasseServer) -> None:
    result = CliRunner().invoke(main, ["listen", "--url", shared.url, "--client-secret", "wrong"])

    assert result.exit_code == 1
    assert "refused the sales unit's credentials" in result.output
