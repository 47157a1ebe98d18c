"""The fault control API (`/_kasse/faults`): arm, list, disarm; bad input named by field; absent in production."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner

from kasse.cli import main
from kasse.domain.faults import FaultKind
from tests.harness import InProcessKasse, ServerProcess, in_process

DEMO_MSN = "123456"


def arm(kasse: InProcessKasse, **body: Any) -> dict[str, Any]:
    r = kasse.client.post("/_kasse/faults", json={"msn": DEMO_MSN, **body})
    assert r.status_code == 201, r.text
    found: dict[str, Any] = r.json()
    return found


def listed(kasse: InProcessKasse, **params: str) -> list[dict[str, Any]]:
    r = kasse.client.get("/_kasse/faults", params=params)
    assert r.status_code == 200, r.text
    found: list[dict[str, Any]] = r.json()["faults"]
    return found


def test_an_armed_fault_is_listed_as_armed(kasse: InProcessKasse) -> None:
    now = kasse.client.get("/_kasse/clock").json()["now"]

    fault = arm(kasse, kind="api.423", endpoint="capture", times=3)

    assert fault["id"]
    assert {k: v for k, v in fault.items() if k != "id"} == {
        "msn": DEMO_MSN, "kind": "api.423", "endpoint": "capture", "remaining": 3, "delaySeconds": None,
        "armedAt": fault["armedAt"],
    }
    assert fault["armedAt"][:16] == now[:16]
    assert listed(kasse) == [fault]
    assert kasse.container.faults.list(DEMO_MSN)[0].id == fault["id"]


def test_every_kind_can_be_armed_by_its_wire_name(kasse: InProcessKasse) -> None:
    kinds = [k.value for k in FaultKind]

    delayed = {"webhook.delay", "report.lag"}
    armed = [arm(kasse, kind=kind, **({"delaySeconds": 5} if kind in delayed else {})) for kind in kinds]

    assert [(f["kind"], f["remaining"]) for f in armed] == [(kind, None) for kind in kinds]
    assert listed(kasse) == armed


def test_faults_are_listed_per_sales_unit(kasse: InProcessKasse) -> None:
    other = kasse.demo.new_merchant()
    mine = arm(kasse, kind="webhook.drop")
    theirs = arm(kasse, kind="webhook.delay", delaySeconds=2.5, msn=other.msn)

    assert listed(kasse, msn=other.msn) == [theirs]
    assert listed(kasse, msn=DEMO_MSN) == [mine]
    assert theirs["delaySeconds"] == 2.5


def test_faults_are_disarmed_one_by_one_per_sales_unit_or_all(kasse: InProcessKasse) -> None:
    other = kasse.demo.new_merchant()
    first, second = arm(kasse, kind="webhook.drop"), arm(kasse, kind="api.500")
    theirs = arm(kasse, kind="api.429", msn=other.msn)

    assert kasse.client.delete(f"/_kasse/faults/{first['id']}").status_code == 204
    assert listed(kasse) == [second, theirs]
    assert kasse.client.delete("/_kasse/faults", params={"msn": DEMO_MSN}).status_code == 204
    assert listed(kasse) == [theirs]
    assert kasse.client.delete("/_kasse/faults").status_code == 204
    assert listed(kasse) == []


def test_disarming_an_unknown_fault_is_a_404_problem(kasse: InProcessKasse) -> None:
    r = kasse.client.delete("/_kasse/faults/fault-nope")

    assert r.status_code == 404
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["extraDetails"] == [{"name": "id", "reason": "no such fault"}]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "webhook.explode"}, "kind"),
        ({"kind": "webhook.drop", "endpoint": "capture"}, "endpoint"),
        ({"kind": "api.500", "endpoint": "settle"}, "endpoint"),
        ({"kind": "api.500", "times": 0}, "times"),
        ({"kind": "api.500", "times": "3"}, "times"),
        ({"kind": "webhook.delay"}, "delaySeconds"),
        ({"kind": "webhook.delay", "delaySeconds": 0}, "delaySeconds"),
        ({"kind": "webhook.drop", "delaySeconds": 5}, "delaySeconds"),
        ({"kind": "webhook.drop", "msn": "12x"}, "msn"),
        ({"endpoint": "get"}, "kind"),
    ],
)
def test_bad_input_is_a_400_problem_naming_the_field(kasse: InProcessKasse, body: dict[str, Any], field: str) -> None:
    r = kasse.client.post("/_kasse/faults", json={"msn": DEMO_MSN, **body})

    assert r.status_code == 400, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert [d["name"] for d in r.json()["extraDetails"]] == [field]
    assert listed(kasse) == []


def test_an_unknown_sales_unit_is_named(kasse: InProcessKasse) -> None:
    r = kasse.client.post("/_kasse/faults", json={"msn": "999999", "kind": "webhook.drop"})

    assert r.status_code == 404
    assert [d["name"] for d in r.json()["extraDetails"]] == ["msn"]
    assert listed(kasse) == []


def test_a_bad_msn_filter_is_a_400_problem(kasse: InProcessKasse) -> None:
    assert kasse.client.get("/_kasse/faults", params={"msn": "abc"}).status_code == 400
    assert kasse.client.delete("/_kasse/faults", params={"msn": "abc"}).status_code == 400


def test_faults_do_not_exist_in_production_mode(tmp_path: Path) -> None:
    for production in in_process(tmp_path, production=True):
        calls = [
            production.client.post("/_kasse/faults", json={"msn": DEMO_MSN, "kind": "webhook.drop"}),
            production.client.get("/_kasse/faults"),
            production.client.delete("/_kasse/faults"),
            production.client.delete("/_kasse/faults/fault-x"),
        ]

        assert [r.status_code for r in calls] == [404, 404, 404, 404]
        assert production.container.faults.list() == []


@pytest.mark.slow  # a real `kasse serve`
def test_the_cli_arms_lists_and_disarms_faults(server: ServerProcess) -> None:
    cli = CliRunner()
    url = ["--url", server.url]

    armed = cli.invoke(main, ["fault", "arm", "webhook.delay", "--delay", "5", "--times", "2", *url])
    refused = cli.invoke(main, ["fault", "arm", "webhook.drop", "--endpoint", "capture", *url])
    listing = cli.invoke(main, ["fault", "list", "--msn", DEMO_MSN, *url])
    fault_id = armed.output.split()[1]
    disarmed = cli.invoke(main, ["fault", "disarm", fault_id, *url])
    again = cli.invoke(main, ["fault", "disarm", fault_id, *url])
    after = httpx.get(f"{server.url}/_kasse/faults").json()

    assert armed.exit_code == 0, armed.output
    assert armed.output.startswith(f"armed {fault_id}  webhook.delay  msn {DEMO_MSN}  delay 5 s  2 more time(s)")
    assert refused.exit_code == 2  # refused before it is sent, naming the option, by the rule the API applies
    assert refused.output == "Error: Invalid value for '--endpoint': only api.* faults are scoped to an endpoint\n"
    assert listing.output.splitlines() == [armed.output.removeprefix("armed ").strip()]
    assert (disarmed.exit_code, disarmed.output) == (0, f"disarmed {fault_id}\n")
    assert again.exit_code == 1 and f"no fault {fault_id} is armed" in again.output
    assert after == {"faults": []}


@pytest.mark.slow  # a real `kasse serve` in production mode
def test_the_cli_says_why_faults_are_unavailable(tmp_path: Path) -> None:
    cli = CliRunner()
    production = ServerProcess(tmp_path / "prod.db", env={"KASSE_MODE": "production"}).start()
    try:
        refused = cli.invoke(main, ["fault", "arm", "api.500", "--url", production.url])
        listed_there = cli.invoke(main, ["fault", "list", "--url", production.url])
    finally:
        production.stop()
    unreachable = cli.invoke(main, ["fault", "disarm", "--all", "--url", production.url])

    for result in (refused, listed_there):
        assert result.exit_code == 1
        assert "faults are not available: the server at" in result.output
        assert "runs in production mode" in result.output
    assert unreachable.exit_code == 1 and "cannot reach kasse" in unreachable.output
