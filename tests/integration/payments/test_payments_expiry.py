"""Expiry (contract §4.12, §10.7): an unanswered payment expires after ten minutes or at its `expiresAt`."""

from datetime import datetime, timedelta

import pytest

from tests.harness import (
    InProcessKasse,
    aggregate,
    assert_matches_spec,
    assert_problem,
    create_body,
    new_reference,
)


def _created(kasse: InProcessKasse, **extra: object) -> str:
    ref = new_reference()
    r = kasse.demo.create(create_body(ref, 10000, **extra))
    assert r.status_code == 201, r.text
    return ref


def _names(kasse: InProcessKasse, ref: str) -> list[str]:
    return [e["name"] for e in kasse.demo.events(ref).json()]


def test_an_unanswered_payment_expires_after_ten_minutes(kasse: InProcessKasse) -> None:
    ref = _created(kasse)

    moved = kasse.client.post("/_kasse/clock/advance", json={"seconds": 600})

    assert moved.json()["expired"] == 1
    got = kasse.demo.get(ref).json()
    assert got["state"] == "EXPIRED"
    assert aggregate(kasse.demo.get(ref)) == {"authorized": 0, "captured": 0, "cancelled": 0, "refunded": 0}
    events = kasse.demo.events(ref).json()
    assert [e["name"] for e in events] == ["CREATED", "EXPIRED"]
    assert events[-1]["amount"] == {"currency": "NOK", "value": 10000}
    assert events[-1]["pspReference"] != got["pspReference"]
    assert_matches_spec(events[-1], "PaymentEvent")


def test_the_clock_reads_back_where_it_was_moved(kasse: InProcessKasse) -> None:
    before = datetime.fromisoformat(kasse.client.get("/_kasse/clock").json()["now"])

    moved = datetime.fromisoformat(kasse.client.post("/_kasse/clock/advance", json={"seconds": 3600}).json()["now"])

    assert timedelta(minutes=59) < moved - before < timedelta(minutes=61)


@pytest.mark.parametrize("body", [{}, {"seconds": -1}, {"seconds": "60"}])
def test_a_malformed_clock_move_is_a_bad_request(kasse: InProcessKasse, body: dict[str, object]) -> None:
    assert_problem(kasse.client.post("/_kasse/clock/advance", json=body), 400)
