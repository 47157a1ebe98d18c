"""`kasse logs` and `kasse trigger` against a kasse serving on a real socket, and the JSON endpoint behind logs."""

from __future__ import annotations

import contextlib
import os
import selectors
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from typing import IO, Any

import httpx
import pytest
from click.testing import CliRunner, Result

from kasse.cli import main
from kasse.testing.server import KasseServer
from tests.harness import DEMO_CREDENTIALS, create_body, new_reference
from tests.integration.wallet_support import eventually


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KasseServer]:
    running = KasseServer.start(tmp_path_factory.mktemp("cli-logs") / "kasse.db")
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="module")
def headers(server: KasseServer) -> dict[str, str]:
    token = httpx.post(f"{server.url}/accesstoken/get", headers=DEMO_CREDENTIALS.token_headers()).json()
    return {"Authorization": f"Bearer {token['access_token']}", "Merchant-Serial-Number": DEMO_CREDENTIALS.msn,
            "Ocp-Apim-Subscription-Key": DEMO_CREDENTIALS.subscription_key}


def kasse(*args: str, url: str, **env: str) -> Result:
    with contextlib.chdir("/"):
        return CliRunner().invoke(main, list(args), env={"KASSE_URL": url, "NO_COLOR": None, **env})


def requests_of(server: KasseServer, count: int, **params: str) -> list[dict[str, Any]]:
    """The log's entries for `params`, once it holds `count` of them (the recorder flushes in the background)."""
    def probe() -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = httpx.get(f"{server.url}/_kasse/requests", params=params).json()
        return found

    return eventually(probe, lambda found: len(found) >= count)


def test_the_endpoint_lists_a_payments_requests_newest_last_with_their_details(server: KasseServer,
                                                                              headers: dict[str, str]) -> None:
    reference, key = new_reference(), uuid.uuid4().hex
    httpx.post(f"{server.url}/epayment/v1/payments", json=create_body(reference),
               headers={**headers, "Idempotency-Key": key})
    httpx.get(f"{server.url}/epayment/v1/payments/{reference}", headers=headers)

    create, read = requests_of(server, 2, reference=reference, msn=DEMO_CREDENTIALS.msn)

    assert (create["method"], create["path"], create["status"], create["idempotencyKey"]) == (
        "POST", "/epayment/v1/payments", 201, key)
    assert (read["method"], read["status"], read["reference"]) == ("GET", 200, reference)
    assert create["id"] < read["id"] and create["at"].endswith("Z") and read["durationMs"] > 0
    assert reference in create["requestBody"] and create["requestHeaders"]["authorization"] == "[redacted]"


def test_the_cursor_returns_only_what_came_after_it(server: KasseServer, headers: dict[str, str]) -> None:
    reference = new_reference()
    for _ in range(3):
        httpx.get(f"{server.url}/epayment/v1/payments/{reference}", headers=headers)
    first, *rest = requests_of(server, 3, reference=reference)

    after = httpx.get(f"{server.url}/_kasse/requests", params={"reference": reference, "after": first["id"]}).json()
    newest = httpx.get(f"{server.url}/_kasse/requests", params={"reference": reference, "limit": 1}).json()

    assert [r["id"] for r in after] == [r["id"] for r in rest] and newest == rest[-1:]
    assert all(r["status"] == 404 for r in after)


def test_the_status_filter_takes_a_class(server: KasseServer, headers: dict[str, str]) -> None:
    reference = new_reference()
    httpx.post(f"{server.url}/epayment/v1/payments", json=create_body(reference), headers=headers)  # no key: 400
    httpx.post(f"{server.url}/epayment/v1/payments", json=create_body(reference),
               headers={**headers, "Idempotency-Key": uuid.uuid4().hex})
    httpx.get(f"{server.url}/epayment/v1/payments/{reference}", headers={**headers, "Authorization": "Bearer x"})
    requests_of(server, 3, reference=reference)

    def statuses(status: str) -> list[int]:
        found = httpx.get(f"{server.url}/_kasse/requests", params={"reference": reference, "status": status})
        return [r["status"] for r in found.json()]

    assert (statuses("4xx"), statuses("2xx"), statuses("401"), statuses("5xx")) == ([400, 401], [201], [401], [])


@pytest.mark.parametrize(("params", "named"), [
    ({"limit": "0"}, "limit"), ({"limit": "x"}, "limit"), ({"after": "-1"}, "after"), ({"status": "6xx"}, "status"),
    ({"status": "ok"}, "status"), ({"before": "0"}, "before"), ({"msn": "9" * 300}, "msn"), ({"sort": "asc"}, "sort"),
])
def test_bad_parameters_are_a_problem_naming_them(server: KasseServer, params: dict[str, str], named: str) -> None:
    r = httpx.get(f"{server.url}/_kasse/requests", params=params)

    assert r.status_code == 400 and r.headers["content-type"].startswith("application/problem+json")
    assert [d["name"] for d in r.json()["extraDetails"]] == [named]


def test_logs_prints_one_line_per_request(server: KasseServer, headers: dict[str, str]) -> None:
    reference = new_reference()
    httpx.get(f"{server.url}/epayment/v1/payments/{reference}", headers=headers)
    requests_of(server, 1, reference=reference)

    result = kasse("logs", "--reference", reference, url=server.url)

    assert result.exit_code == 0, result.output
    (line,) = result.output.splitlines()
    assert f"404  GET    /epayment/v1/payments/{reference}  {reference}  " in line and line.endswith(" ms")
    assert "\x1b[" not in line  # not a terminal: no colour


def test_logs_filters_by_status_and_refuses_a_bad_one_in_one_line(server: KasseServer) -> None:
    bad = kasse("logs", "--status", "teapot", url=server.url)

    assert bad.exit_code == 2 and len(bad.output.strip().splitlines()) == 1 and "--status" in bad.output


def test_logs_colours_by_status_on_a_terminal() -> None:
    from kasse.cli.logs import line_of

    line = line_of({"at": "2026-01-01T00:00:00.000Z", "status": 503, "method": "GET", "path": "/x",
                    "reference": None, "durationMs": 1.0})

    assert "\x1b[31" in line and "503" in line


def test_trigger_drives_a_payment_to_captured_and_its_webhooks_fire(server: KasseServer,
                                                                   headers: dict[str, str]) -> None:
    hook = httpx.post(f"{server.url}/webhooks/v1/webhooks", headers=headers, json={
        "url": "http://127.0.0.1:9/hook", "events": ["epayments.payment.authorized.v1",
                                                     "epayments.payment.captured.v1"]})
    assert hook.status_code == 201

    result = kasse("trigger", "captured", "--msn", DEMO_CREDENTIALS.msn, url=server.url)

    assert result.exit_code == 0, result.output
    first, *steps = result.output.splitlines()
    reference = first.rsplit(" ", 1)[-1]
    assert steps == ["  create -> CREATED", "  approve -> AUTHORIZED", "  capture -> AUTHORIZED"]
    payment = httpx.get(f"{server.url}/epayment/v1/payments/{reference}", headers=headers).json()
    assert payment["aggregate"]["capturedAmount"]["value"] == 1000
    deliveries = httpx.get(f"{server.url}/_kasse/webhooks/deliveries", params={"reference": reference}).json()
    assert sorted(d["eventType"] for d in deliveries) == ["epayments.payment.authorized.v1",
                                                          "epayments.payment.captured.v1"]
    httpx.delete(f"{server.url}/webhooks/v1/webhooks/{hook.json()['id']}", headers=headers)


@pytest.mark.parametrize(("event", "state"), [
    ("authorized", "AUTHORIZED"), ("cancelled", "AUTHORIZED"), ("refunded", "AUTHORIZED"), ("expired", "EXPIRED"),
    ("aborted", "ABORTED"), ("terminated", "TERMINATED"),
])
def test_trigger_reaches_each_payment_event(server: KasseServer, headers: dict[str, str], event: str,
                                            state: str) -> None:
    result = kasse("trigger", event, url=server.url)

    assert result.exit_code == 0, result.output
    reference = result.output.splitlines()[0].rsplit(" ", 1)[-1]
    events = httpx.get(f"{server.url}/epayment/v1/payments/{reference}/events", headers=headers).json()
    assert events[-1]["name"] == event.upper() and events[-1]["success"] is True
    assert httpx.get(f"{server.url}/epayment/v1/payments/{reference}", headers=headers).json()["state"] == state


def test_trigger_checks_a_user_in(server: KasseServer, headers: dict[str, str]) -> None:
    hook = httpx.post(f"{server.url}/webhooks/v1/webhooks", headers=headers, json={
        "url": "http://127.0.0.1:9/in", "events": ["user.checked-in.v1"]}).json()

    result = kasse("trigger", "user.checked-in", url=server.url)

    assert result.exit_code == 0, result.output
    deliveries = httpx.get(f"{server.url}/_kasse/webhooks/deliveries", params={"msn": DEMO_CREDENTIALS.msn}).json()
    assert any(d["eventType"] == "user.checked-in.v1" and d["payload"]["merchantQrId"] == "kasse-trigger"
               for d in deliveries)
    httpx.delete(f"{server.url}/webhooks/v1/webhooks/{hook['id']}", headers=headers)


def test_trigger_refuses_an_unknown_event_in_one_line_listing_the_valid_ones(server: KasseServer) -> None:
    result = kasse("trigger", "paid", url=server.url)

    assert result.exit_code == 2 and len(result.output.strip().splitlines()) == 1
    assert "captured" in result.output and "user.checked-in" in result.output


def test_trigger_for_an_unknown_sales_unit_names_the_msn(server: KasseServer) -> None:
    result = kasse("trigger", "captured", "--msn", "999998", url=server.url)

    assert result.exit_code == 2 and "--msn" in result.output


def test_logs_follow_prints_requests_as_they_arrive(server: KasseServer, headers: dict[str, str]) -> None:
    reference = new_reference()
    follower = subprocess.Popen([sys.executable, "-m", "kasse", "logs", "--follow", "--reference", reference,
                                 "--url", server.url], stdout=subprocess.PIPE, text=True,
                                env={**os.environ, "NO_COLOR": "1"})
    try:
        assert follower.stdout is not None
        for _ in range(2):
            httpx.get(f"{server.url}/epayment/v1/payments/{reference}", headers=headers)

        lines = _lines_within(follower.stdout, 2, 20.0)
    finally:
        follower.terminate()
        follower.wait(timeout=10)

    assert len(lines) == 2 and all(f"GET    /epayment/v1/payments/{reference}" in line for line in lines)


def _lines_within(stream: IO[str], count: int, seconds: float) -> list[str]:
    """The first `count` lines the follower prints, or fewer if they do not come in time (fails, never hangs)."""
    out, deadline = b"", time.monotonic() + seconds
    with selectors.DefaultSelector() as selector:
        selector.register(stream, selectors.EVENT_READ)
        while out.count(b"\n") < count and selector.select(max(0.0, deadline - time.monotonic())):
            chunk = os.read(stream.fileno(), 4096)
            if not chunk:
                break
            out += chunk
    return out.decode().splitlines()
