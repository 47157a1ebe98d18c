"""Expiry (contract §4.12, §10.7): an unanswered payment expires after ten minutes or at its `expiresAt`."""

from datetime import UTC, datetime, timedelta

import pytest

from tests.harness import (
    InProcessKasse,
    advance_clock,
    aggregate,
    assert_matches_spec,
    assert_problem,
    authorized,
    create_body,
    new_reference,
    receipt,
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


def test_an_unanswered_payment_is_still_waiting_just_before_ten_minutes(kasse: InProcessKasse) -> None:
    ref = _created(kasse)

    advance_clock(kasse.client, 590)

    assert kasse.demo.get(ref).json()["state"] == "CREATED"
    assert _names(kasse, ref) == ["CREATED"]


def test_a_payment_expires_once_however_far_the_clock_moves(kasse: InProcessKasse) -> None:
    ref = _created(kasse)

    advance_clock(kasse.client, 600)
    advance_clock(kasse.client, 86400)

    later = kasse.session(kasse.demo.creds)  # the first token is long expired
    assert [e["name"] for e in later.events(ref).json()] == ["CREATED", "EXPIRED"]


def test_a_long_living_payment_waits_until_its_expires_at(kasse: InProcessKasse) -> None:
    expires_at = datetime.now(UTC) + timedelta(hours=2)
    ref = _created(kasse, expiresAt=expires_at.strftime("%Y-%m-%dT%H:%M:%SZ"), receipt=receipt(10000))

    advance_clock(kasse.client, 3500)
    waiting = kasse.demo.get(ref).json()["state"]
    advance_clock(kasse.client, 3800)

    assert waiting == "CREATED"
    assert kasse.session(kasse.demo.creds).get(ref).json()["state"] == "EXPIRED"


@pytest.mark.parametrize("answer", ["approve", "cancel"])
def test_an_answered_payment_never_expires(kasse: InProcessKasse, answer: str) -> None:
    ref = _created(kasse)
    assert (kasse.demo.approve(ref) if answer == "approve" else kasse.demo.cancel(ref)).status_code == 200

    advance_clock(kasse.client, 3000)

    assert "EXPIRED" not in _names(kasse, ref)


def test_an_authorized_payment_can_still_be_captured_after_ten_minutes(kasse: InProcessKasse) -> None:
    ref = authorized(kasse.demo, 10000)
    advance_clock(kasse.client, 900)

    assert kasse.demo.modify(ref, "capture", 10000).status_code == 200


def test_approving_an_expired_payment_is_refused(kasse: InProcessKasse) -> None:
    ref = _created(kasse)
    advance_clock(kasse.client, 600)

    assert_problem(kasse.demo.approve(ref), 400, "10010")
    assert kasse.demo.get(ref).json()["state"] == "EXPIRED"


@pytest.mark.parametrize(("op", "code"), [("capture", "6200"), ("refund", "6210")])
def test_an_expired_payment_cannot_be_captured_or_refunded(kasse: InProcessKasse, op: str, code: str) -> None:
    ref = _created(kasse)
    advance_clock(kasse.client, 600)

    assert_problem(kasse.demo.modify(ref, op, 1000), 400, code)


def test_cancelling_an_expired_payment_is_refused(kasse: InProcessKasse) -> None:
    ref = _created(kasse)
    advance_clock(kasse.client, 600)

    assert_problem(kasse.demo.cancel(ref), 400, "6190")
    assert kasse.demo.get(ref).json()["state"] == "EXPIRED"


def test_the_clock_reads_back_where_it_was_moved(kasse: InProcessKasse) -> None:
    before = datetime.fromisoformat(kasse.client.get("/_kasse/clock").json()["now"])

    moved = datetime.fromisoformat(kasse.client.post("/_kasse/clock/advance", json={"seconds": 3600}).json()["now"])

    assert timedelta(minutes=59) < moved - before < timedelta(minutes=61)


@pytest.mark.parametrize("body", [{}, {"seconds": -1}, {"seconds": "60"}])
def test_a_malformed_clock_move_is_a_bad_request(kasse: InProcessKasse, body: dict[str, object]) -> None:
    assert_problem(kasse.client.post("/_kasse/clock/advance", json=body), 400)
