"""Bad input to the `kasse` command is one line naming the option, exit status 2, never a traceback (#12.12).

Every case here fails before anything starts: no server, no granian, nothing written where it should not be.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

from kasse.cli import main
from tests.harness import free_port

UNSET = {"KASSE_DATABASE_URL": None, "KASSE_DATABASE": None, "KASSE_MODE": None, "KASSE_URL": None,
         "KASSE_DELIVERY_LEASE": None, "KASSE_POS_FIRST_POLL": None, "KASSE_POS_POLL_INTERVAL": None,
         "KASSE_PUBLIC_URL": None, "KASSE_POS_PUBLIC_URL": None, "KASSE_POS_PLATFORM_URL": None}


def kasse(*args: str, **env: str) -> Result:
    return CliRunner().invoke(main, list(args), env={**UNSET, **env})


def assert_one_line_naming(result: Result, option: str) -> str:
    """Assert exit status 2 and one line of output, naming `option`; return that line."""
    lines = result.output.strip().splitlines()
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit), result.exception  # click's own exit, nothing escaped
    assert "Traceback" not in result.output and len(lines) == 1, result.output
    assert lines[0].startswith("Error: ") and option in lines[0], lines[0]
    return lines[0]


@pytest.fixture
def not_sqlite(tmp_path: Path) -> Path:
    text = tmp_path / "notes.txt"
    text.write_text("not a database\n")
    return text


def test_a_malformed_kasse_url_is_named() -> None:
    said = assert_one_line_naming(kasse("clock", "now", KASSE_URL="http://[::1"), "--url")

    assert "$KASSE_URL" in said


@pytest.mark.parametrize("args", [("fault", "list"), ("merchant", "list"), ("user", "list"), ("pos", "reconcile"),
                                  ("listen",)], ids=lambda a: " ".join(a))
def test_every_command_that_talks_to_a_server_checks_its_url(args: tuple[str, ...]) -> None:
    assert_one_line_naming(kasse(*args, "--url", "ftp://127.0.0.1"), "--url")


@pytest.mark.parametrize("command", [("merchant", "create"), ("db", "upgrade"), ("serve",), ("worker",)],
                         ids=lambda c: " ".join(c))
def test_a_db_that_is_not_sqlite_is_named(command: tuple[str, ...], not_sqlite: Path) -> None:
    said = assert_one_line_naming(kasse(*command, "--db", str(not_sqlite), *(
        ("--port", str(free_port())) if command == ("serve",) else ())), "--db")

    assert "not an SQLite database" in said
    assert not_sqlite.read_text() == "not a database\n"


@pytest.mark.parametrize("command", [("merchant", "create"), ("db", "upgrade"), ("serve",), ("worker",)],
                         ids=lambda c: " ".join(c))
def test_a_db_that_cannot_be_written_is_named(command: tuple[str, ...], not_sqlite: Path) -> None:
    unwritable = not_sqlite / "kasse.db"  # beneath a file: no one can create it, not even root

    assert_one_line_naming(kasse(*command, "--db", str(unwritable), *(
        ("--port", str(free_port())) if command == ("serve",) else ())), "--db")


@pytest.mark.parametrize("command", [("db", "upgrade"), ("serve",), ("worker",), ("merchant", "create")],
                         ids=lambda c: " ".join(c))
@pytest.mark.parametrize("url", ["mysql://x", "postgresql://postgres@127.0.0.1:1/kasse"], ids=["mysql", "nobody"])
def test_a_database_url_that_is_malformed_or_unreachable_is_named(command: tuple[str, ...], url: str) -> None:
    port = ("--port", str(free_port())) if command == ("serve",) else ()
    # merchant create works on the store directly in production mode (there is no control plane there)
    mode = {"KASSE_MODE": "production"} if command == ("merchant", "create") else {}

    said = assert_one_line_naming(kasse(*command, *port, KASSE_DATABASE_URL=url, **mode), "KASSE_DATABASE_URL")

    assert "mysql" in said if url.startswith("mysql") else "cannot reach PostgreSQL" in said


@pytest.mark.parametrize(("args", "option"), [
    (("serve", "--port", "99999"), "--port"),
    (("serve", "--port", "0"), "--port"),
    (("serve", "--workers", "2"), "--workers"),
    (("serve", "--public-url", "not a url"), "--public-url"),
    (("serve", "--host", "999.1.1.1"), "--host"),
], ids=["port-99999", "port-0", "workers-without-postgres", "public-url", "host"])
def test_serve_refuses_what_it_cannot_listen_with(args: tuple[str, ...], option: str, tmp_path: Path) -> None:
    assert_one_line_naming(kasse(*args, "--db", str(tmp_path / "kasse.db")), option)

    assert not (tmp_path / "kasse.db").exists()


@pytest.mark.parametrize(("command", "variable", "value"), [
    (("serve",), "KASSE_DELIVERY_LEASE", "banana"),
    (("worker",), "KASSE_DELIVERY_LEASE", "banana"),
    (("serve",), "KASSE_POS_FIRST_POLL", "abc"),
    (("serve",), "KASSE_POS_POLL_INTERVAL", "-1"),
    (("serve",), "KASSE_POS_PUBLIC_URL", "http://[::1"),
    (("serve",), "KASSE_PUBLIC_URL", "ftp://x"),
    (("pos", "reconcile"), "KASSE_POS_FIRST_POLL", "abc"),
], ids=["serve-lease", "worker-lease", "serve-first-poll", "serve-poll-interval", "pos-public-url", "public-url",
        "reconcile-first-poll"])
def test_a_bad_number_in_the_environment_is_named(command: tuple[str, ...], variable: str, value: str,
                                                  tmp_path: Path) -> None:
    database = tmp_path / "kasse.db"
    args = ("--port", str(free_port()), "--db", str(database)) if command == ("serve",) else ()

    said = assert_one_line_naming(kasse(*command, *args, **{variable: value}), variable)

    assert repr(value) in said
    assert not database.exists()


@pytest.mark.parametrize(("args", "option"), [
    (("merchant", "create", "--msn", "abc"), "--msn"),
    (("merchant", "create", "--msn", "1" * 20), "--msn"),
    (("merchant", "create", "--msn", "12"), "--msn"),
    (("merchant", "create", "--name", "x" * 5000), "--name"),
    (("merchant", "create", "--name", ""), "--name"),
    (("user", "create", "4799887766", "--name", "x" * 5000), "--name"),
    (("user", "create", "+4799887766"), "MSISDN"),
    (("user", "create", "4799887766", "--birth-date", "1999-13-01"), "--birth-date"),
    (("fault", "arm", "webhook.drop", "--msn", "12"), "--msn"),
    (("listen", "--msn", "abc"), "--msn"),
    (("listen", "--forward-to", "ftp://127.0.0.1/hooks"), "--forward-to"),
    (("listen", "--forward-to", "127.0.0.1:3000/hooks"), "--forward-to"),
    (("listen", "--forward-to", "http://example.com/hooks"), "--forward-to"),
], ids=["msn-letters", "msn-20-digits", "msn-2-digits", "name-5000", "name-empty", "user-name-5000", "msisdn-plus",
        "birth-date-format", "fault-msn", "listen-msn", "forward-ftp", "forward-no-scheme", "forward-public-http"])
def test_what_the_api_refuses_the_cli_refuses_first_by_the_same_rule(args: tuple[str, ...], option: str) -> None:
    # no server runs at the default URL: the refusal comes before any request
    assert_one_line_naming(kasse(*args, "--url", f"http://127.0.0.1:{free_port()}"), option)


def test_a_fault_that_needs_a_delay_names_the_flag_once() -> None:
    result = kasse("fault", "arm", "webhook.delay", "--url", f"http://127.0.0.1:{free_port()}")

    said = assert_one_line_naming(result, "--delay")
    assert "delaySeconds" not in said


def test_an_unknown_fault_kind_is_one_short_line_and_the_help_lists_the_kinds() -> None:
    said = assert_one_line_naming(kasse("fault", "arm", "webhook.nope"), "KIND")
    shown = kasse("fault", "arm", "--help").output

    assert "'webhook.nope' is not one of" in said and "{webhook.drop|" not in said
    assert "fault arm [OPTIONS] KIND" in shown
    assert "report.slow-closing" in shown and "api.lost-response" in shown


def test_a_usage_error_is_one_line_too() -> None:
    assert_one_line_naming(kasse("user", "create"), "MSISDN")
    assert_one_line_naming(kasse("no-such-command"), "no-such-command")


def test_serve_on_a_taken_port_refuses_before_it_touches_the_store(tmp_path: Path) -> None:
    taken = socket.socket()
    taken.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)  # as granian binds: sharing allowed, on its side
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    try:
        said = assert_one_line_naming(kasse("serve", "--port", str(taken.getsockname()[1]),
                                            "--db", str(tmp_path / "b.db")), "--port")
    finally:
        taken.close()

    assert "already in use" in said
    assert not (tmp_path / "b.db").exists()


@pytest.mark.parametrize(("args", "env", "option"), [
    (("serve", "--port", "99999"), {}, "--port"),
    (("clock", "now"), {"KASSE_URL": "http://[::1"}, "--url"),
    (("worker",), {"KASSE_DELIVERY_LEASE": "banana"}, "KASSE_DELIVERY_LEASE"),
], ids=["port", "kasse-url", "lease"])
def test_a_real_process_prints_one_line_on_stderr_and_exits_2(args: tuple[str, ...], env: dict[str, str],
                                                              option: str, tmp_path: Path) -> None:
    clean = {k: v for k, v in os.environ.items() if k not in UNSET}
    done = subprocess.run([sys.executable, "-m", "kasse", *args], env={**clean, **env}, cwd=tmp_path,
                          capture_output=True, text=True, timeout=60)

    assert done.returncode == 2
    assert done.stdout == "" and len(done.stderr.splitlines()) == 1 and option in done.stderr, done.stderr
    assert list(tmp_path.iterdir()) == []  # no ./var/kasse.db made on the way


def commands(command: click.Command, path: tuple[str, ...] = ("kasse",)) -> list[tuple[str, click.Command]]:
    found = [(" ".join(path), command)]
    if isinstance(command, click.Group):
        for name, sub in sorted(command.commands.items()):
            found += commands(sub, (*path, name))
    return found


@pytest.mark.parametrize(("path", "command"), commands(main), ids=[path for path, _ in commands(main)])
def test_every_command_and_option_says_what_it_is_for(path: str, command: click.Command) -> None:
    bare = [p.opts for p in command.params if isinstance(p, click.Option) and not p.help]

    assert command.help, f"{path} has no help"
    assert not bare, f"{path}: options without help: {bare}"
