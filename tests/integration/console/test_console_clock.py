"""The console's Time & faults page: the clock moves and faults arm through forms; bad input changes nothing."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from kasse.console.fault_catalogue import EFFECTS
from kasse.domain.faults import FaultKind
from tests.harness import InProcessKasse, in_process


def notice(answer: object) -> str:
    location = answer.headers["location"]  # type: ignore[attr-defined]
    return parse_qs(urlsplit(location).query)["notice"][0]


def test_every_fault_kind_says_what_it_does_to_a_client() -> None:
    assert set(EFFECTS) == set(FaultKind)


def test_the_page_shows_the_clock_and_every_fault_kind(kasse: InProcessKasse) -> None:
    page = kasse.client.get("/console/time")

    assert page.status_code == 200
    assert kasse.container.clock.now().strftime("%Y-%m-%d %H:%M") in page.text
    for kind in FaultKind:
        assert f"<option value=\"{kind.value}\">" in page.text


def test_advancing_by_a_duration_moves_the_clock_and_says_so(kasse: InProcessKasse) -> None:
    before = kasse.container.clock.now()

    answer = kasse.client.post("/console/time/advance", data={"duration": "1d"}, follow_redirects=False)

    assert answer.status_code == 303
    assert kasse.container.clock.now() - before >= timedelta(days=1)
    assert "Advanced the clock by 1d" in notice(answer)
    assert "Closed ledger date" in notice(answer)


def test_freezing_stops_the_clock_and_unfreezing_lets_it_run(kasse: InProcessKasse) -> None:
    kasse.client.post("/console/time/freeze", follow_redirects=False)
    assert kasse.container.clock.frozen
    assert "frozen" in kasse.client.get("/console/time").text

    kasse.client.post("/console/time/unfreeze", follow_redirects=False)
    assert not kasse.container.clock.frozen


@pytest.mark.parametrize(("path", "data", "says"), [
    ("/console/time/advance", {"duration": "10"}, "is not a duration"),
    ("/console/time/advance", {"duration": ""}, "duration is required"),
    ("/console/time/advance", {"duration": "3651d"}, "ten years"),
    ("/console/time/advance", {"duration": "9" * 50}, "at most 40 characters"),
    ("/console/time/set", {"moment": "yesterday"}, "is not a moment"),
    ("/console/time/set", {"moment": "2000-01-01T00:00"}, "only moves forwards"),
])
def test_a_bad_move_is_refused_on_the_page_and_the_clock_stays(kasse: InProcessKasse, path: str,
                                                               data: dict[str, str], says: str) -> None:
    kasse.client.post("/console/time/freeze")
    before = kasse.container.clock.now()

    answer = kasse.client.post(path, data=data, follow_redirects=False)

    assert answer.status_code == 400
    assert says in answer.text
    assert 'role="alert"' in answer.text
    assert kasse.container.clock.now() == before


def test_setting_a_later_moment_from_the_form_moves_there(kasse: InProcessKasse) -> None:
    kasse.client.post("/console/time/freeze")
    target = (kasse.container.clock.now() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")

    answer = kasse.client.post("/console/time/set", data={"moment": target}, follow_redirects=False)

    assert answer.status_code == 303
    assert kasse.container.clock.now().strftime("%Y-%m-%dT%H:%M") == target


def test_arming_then_disarming_a_fault(kasse: InProcessKasse) -> None:
    answer = kasse.client.post("/console/time/faults", data={"msn": "123456", "kind": "api.423",
                                                               "endpoint": "capture", "times": "2"},
                               follow_redirects=False)

    assert answer.status_code == 303
    (fault,) = kasse.container.faults.list()
    assert (fault.kind, fault.endpoint, fault.remaining) == (FaultKind.API_423, "capture", 2)
    assert EFFECTS[FaultKind.API_423] in kasse.client.get("/console/time").text

    kasse.client.post(f"/console/time/faults/{fault.id}/disarm", follow_redirects=False)
    assert kasse.container.faults.list() == []


@pytest.mark.parametrize(("data", "says"), [
    ({"msn": "999999", "kind": "api.500"}, "no sales unit has MSN 999999"),
    ({"msn": "123456", "kind": "api.999"}, "kind must be one of"),
    ({"msn": "123456", "kind": "webhook.drop", "endpoint": "capture"}, "only api.* faults"),
    ({"msn": "123456", "kind": "webhook.delay"}, "needs a delay"),
    ({"msn": "123456", "kind": "api.500", "times": "0"}, "times must be a whole number"),
    ({"msn": "123456", "kind": "api.500", "times": "-1"}, "times must be a whole number"),
    ({"msn": "123456", "kind": "webhook.delay", "delaySeconds": "1e9"}, "delaySeconds must be"),
    ({"kind": "api.500"}, "msn is required"),
])
def test_a_bad_fault_is_refused_on_the_page_and_nothing_is_armed(kasse: InProcessKasse, data: dict[str, str],
                                                                 says: str) -> None:
    answer = kasse.client.post("/console/time/faults", data=data, follow_redirects=False)

    assert answer.status_code == 400
    assert says in answer.text
    assert kasse.container.faults.list() == []


def test_disarming_a_fault_that_is_not_armed_is_a_404_page(kasse: InProcessKasse) -> None:
    answer = kasse.client.post("/console/time/faults/fault-nope/disarm", follow_redirects=False)

    assert answer.status_code == 404
    assert "No fault fault-nope is armed" in answer.text


@pytest.mark.parametrize(("method", "path"), [
    ("GET", "/console/time"), ("POST", "/console/time/advance"), ("GET", "/console/webhooks"),
    ("GET", "/console/units"), ("POST", "/console/units"), ("GET", "/console/ledgers"),
])
def test_exposed_the_pages_ask_for_the_operator_token_first(tmp_path: Path, method: str, path: str) -> None:
    for exposed in in_process(tmp_path, host="0.0.0.0"):
        before = exposed.container.clock.now()
        units = len(exposed.container.db.read(lambda uow: uow.merchants.list()))

        answer = exposed.client.request(method, path, data={"duration": "1d", "name": "x", "market": "NO"},
                                        follow_redirects=False)

        if method == "GET":  # a person is sent to sign in; a form post without the token changes nothing
            assert (answer.status_code, answer.headers["location"].partition("?")[0]) == (303, "/console/signin")
        else:
            assert answer.status_code == 401
        assert exposed.container.clock.now() - before < timedelta(hours=1)
        assert len(exposed.container.db.read(lambda uow: uow.merchants.list())) == units
