"""The control plane's clock (issue #8): set, freeze, unfreeze and advance by a duration; every move
sweeps expiry, and token lifetime and the webhook retry schedule follow it. Advance by seconds, QR `ttl`
and customer tokens are covered where those features are tested (test_payments_expiry, test_qr_api,
test_wallet_customers, test_payments_auth)."""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from kasse.cli import main
from kasse.domain.timefmt import rfc3339
from kasse.domain.webhook_registration import PAYMENT_EVENTS
from kasse.testing.server import KasseServer
from tests.harness import InProcessKasse, ServerProcess, assert_problem, create_body, in_process, new_reference
from tests.integration.webhook_receiver import deliveries, poll, receiving, register


def now_of(body: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(body["now"])


def clock(kasse: InProcessKasse, action: str = "", body: dict[str, Any] | None = None) -> dict[str, Any]:
    r = kasse.client.post(f"/_kasse/clock/{action}", json=body) if action else kasse.client.get("/_kasse/clock")
    assert r.status_code == 200, r.text
    found: dict[str, Any] = r.json()
    return found


def test_setting_the_clock_forward_expires_what_fell_due(kasse: InProcessKasse) -> None:
    ref = new_reference()
    kasse.demo.create(create_body(ref))
    start = now_of(clock(kasse))

    moved = clock(kasse, "set", {"now": rfc3339(start + timedelta(minutes=11))})

    assert moved["expired"] == 1 and moved["frozen"] is False
    assert timedelta(minutes=11) <= now_of(moved) - start < timedelta(minutes=12)
    assert kasse.demo.get(ref).json()["state"] == "EXPIRED"


def test_setting_the_clock_backwards_is_refused_and_moves_nothing(kasse: InProcessKasse) -> None:
    frozen = now_of(clock(kasse, "freeze"))

    refused = kasse.client.post("/_kasse/clock/set", json={"now": rfc3339(frozen - timedelta(seconds=1))})

    body = assert_problem(refused, 400)
    assert [d["name"] for d in body["extraDetails"]] == ["now"]
    assert now_of(clock(kasse)) == frozen


@pytest.mark.parametrize("now", ["2026-12-24T12:00:00", "Christmas", "", 1798113600])
def test_a_set_without_an_rfc3339_moment_is_a_bad_request(kasse: InProcessKasse, now: object) -> None:
    body = assert_problem(kasse.client.post("/_kasse/clock/set", json={"now": now}), 400)

    assert [d["name"] for d in body["extraDetails"]] == ["now"]


def test_a_frozen_clock_stands_still_until_moved_and_resumes_from_there(kasse: InProcessKasse) -> None:
    frozen = clock(kasse, "freeze")
    time.sleep(0.02)  # real time passes; the frozen clock must not see it
    still = clock(kasse)

    moved = clock(kasse, "advance", {"duration": "1h30m"})
    resumed = clock(kasse, "unfreeze")
    later = clock(kasse)

    assert frozen["frozen"] is True and still == {"now": frozen["now"], "frozen": True}
    assert now_of(moved) == now_of(frozen) + timedelta(hours=1, minutes=30) and moved["frozen"] is True
    assert resumed["frozen"] is False and later["frozen"] is False
    assert timedelta() <= now_of(later) - now_of(moved) < timedelta(seconds=5)


def test_setting_the_clock_to_what_it_reads_leaves_it_there(kasse: InProcessKasse) -> None:
    frozen = clock(kasse, "freeze")

    again = clock(kasse, "set", {"now": frozen["now"]})  # the wire drops the microseconds the clock holds

    assert again["now"] == frozen["now"] and clock(kasse)["now"] == frozen["now"]


def test_setting_a_frozen_clock_keeps_it_frozen_at_that_moment(kasse: InProcessKasse) -> None:
    frozen = now_of(clock(kasse, "freeze"))
    target = rfc3339(frozen + timedelta(days=1))

    moved = clock(kasse, "set", {"now": target})

    assert moved["now"] == target and moved["frozen"] is True
    assert clock(kasse)["now"] == target


@pytest.mark.parametrize(
    ("body", "field"),
    [({"duration": "10"}, "duration"), ({"duration": "soon"}, "duration"), ({"duration": "3651d"}, "duration"),
     ({"duration": "10m", "seconds": 600}, "body"), ({"duration": 600}, "duration")],
    ids=["no-unit", "words", "over-ten-years", "both", "number"],
)
def test_a_bad_duration_is_a_bad_request_naming_it(kasse: InProcessKasse, body: dict[str, Any], field: str) -> None:
    before = now_of(clock(kasse, "freeze"))

    problem = assert_problem(kasse.client.post("/_kasse/clock/advance", json=body), 400)

    assert [d["name"] for d in problem["extraDetails"]] == [field]
    assert now_of(clock(kasse)) == before


def test_an_access_token_runs_out_when_the_clock_is_set_past_its_hour(kasse: InProcessKasse) -> None:
    ref = new_reference()
    assert kasse.demo.create(create_body(ref)).status_code == 201
    start = now_of(clock(kasse))

    clock(kasse, "set", {"now": rfc3339(start + timedelta(hours=1, seconds=1))})

    assert_problem(kasse.demo.get(ref), 401)


def test_a_refused_webhook_is_retried_only_when_the_frozen_clock_reaches_its_retry(kasse: InProcessKasse) -> None:
    frozen = now_of(clock(kasse, "freeze"))
    accepting: list[bool] = []
    with receiving(lambda r: 200 if accepting else 500) as receiver:
        register(kasse.demo, receiver.url(), PAYMENT_EVENTS[:1])
        ref = new_reference()
        kasse.demo.create(create_body(ref))
        (refused,) = poll(lambda: deliveries(kasse.client, ref), lambda ds: ds and ds[0]["attemptCount"] == 1)
        assert refused["state"] == "PENDING" and datetime.fromisoformat(refused["nextAttemptAt"]) > frozen
        accepting.append(True)

        due = datetime.fromisoformat(refused["nextAttemptAt"]) + timedelta(milliseconds=1)  # the wire drops µs
        clock(kasse, "set", {"now": rfc3339(due)})

        (delivered,) = poll(lambda: deliveries(kasse.client, ref), lambda ds: ds[0]["state"] == "DELIVERED")
        assert delivered["attemptCount"] == 2 and len(receiver.received) == 2


@pytest.mark.parametrize(("method", "path"), [("GET", ""), ("POST", "/set"), ("POST", "/freeze"),
                                              ("POST", "/unfreeze"), ("POST", "/advance")])
def test_the_clock_is_not_there_in_production_mode(tmp_path: Path, method: str, path: str) -> None:
    for production in in_process(tmp_path, production=True):
        r = production.client.request(method, f"/_kasse/clock{path}", json={"now": "2099-01-01T00:00:00Z"})

        assert_problem(r, 404)


# --- `kasse clock` against a real server ------------------------------------------------------------------


def clock_cli(*args: str, url: str) -> Result:
    return CliRunner().invoke(main, ["clock", *args, "--url", url])


@pytest.mark.slow
def test_the_clock_commands_move_a_running_kasse(server: ServerProcess) -> None:
    frozen = clock_cli("freeze", url=server.url)
    advanced = clock_cli("advance", "1h30m", url=server.url)
    at_christmas = clock_cli("set", "2034-12-24T12:00:00Z", url=server.url)
    backwards = clock_cli("set", "2034-12-24T11:59:59Z", url=server.url)
    resumed = clock_cli("unfreeze", url=server.url)
    now = clock_cli("now", url=server.url)

    assert [r.exit_code for r in (frozen, advanced, at_christmas, resumed, now)] == [0] * 5, frozen.output
    moment = datetime.fromisoformat(frozen.output.split()[0])
    assert advanced.output == f"{rfc3339(moment + timedelta(hours=1, minutes=30))} (frozen, 0 payment(s) expired)\n"
    assert at_christmas.output.splitlines()[0] == "2034-12-24T12:00:00.000Z (frozen, 0 payment(s) expired)"
    # the demo unit's ledger and the till's own unit's
    assert at_christmas.output.splitlines()[-1] == "closed ledger date 2034-12-23 for 2 ledger(s)"
    assert backwards.exit_code == 1 and "only moves forwards" in backwards.output and "now:" in backwards.output
    assert resumed.output.startswith("2034-12-24T12:00:00") and "(running" in resumed.output
    assert now.output.startswith("2034-12-24T12:00") and now.output.endswith("(running)\n")


def test_the_clock_commands_say_when_there_is_no_control_plane(tmp_path: Path) -> None:
    production = KasseServer.start(tmp_path / "kasse.db", production=True)  # a real socket, in this process
    try:
        refused = clock_cli("advance", "10m", url=production.url)
    finally:
        production.stop()
    nobody = clock_cli("now", url=production.url)
    unitless = clock_cli("advance", "10", url=production.url)

    assert refused.exit_code == 1 and "production mode" in refused.output
    assert nobody.exit_code == 1 and "cannot reach kasse" in nobody.output
    assert unitless.exit_code == 2 and "not a duration" in unitless.output
