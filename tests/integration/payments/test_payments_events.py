"""GET payment and the event log (contract §4.3, §4.4): one event per operation, each with its own pspReference."""

from datetime import datetime

from tests.harness import (
    InProcessKasse,
    assert_matches_spec,
    assert_problem,
    create_body,
    new_reference,
    shared_kasse,
)

kasse = shared_kasse("events")  # every test uses its own random references and keys


def _lifecycle(kasse: InProcessKasse) -> tuple[str, list[str]]:
    """Create, approve, capture twice, refund and cancel the rest; return the reference and the psp of each answer."""
    demo = kasse.demo
    ref = new_reference()
    pspr = []
    assert demo.create(create_body(ref, 10000), key=f"{ref}-create").status_code == 201
    assert demo.approve(ref).status_code == 200
    for op, value, key in (("capture", 3000, "cap-1"), ("capture", 2000, "cap-2"), ("refund", 1000, "refund")):
        r = demo.modify(ref, op, value, key=f"{ref}-{key}")
        assert r.status_code == 200, r.text
        pspr.append(r.json()["pspReference"])
    cancelled = demo.cancel(ref)
    assert cancelled.status_code == 200
    pspr.append(cancelled.json()["pspReference"])
    return ref, pspr


def test_each_event_has_a_fresh_psp_reference_and_answers_keep_the_created_one(kasse: InProcessKasse) -> None:
    ref, answered = _lifecycle(kasse)

    events = kasse.demo.events(ref).json()
    got = kasse.demo.get(ref).json()

    psps = [e["pspReference"] for e in events]
    assert len(set(psps)) == len(psps)
    assert got["pspReference"] == psps[0]
    assert set(answered) == {psps[0]}


def test_events_are_in_time_order_with_rfc3339_utc_timestamps(kasse: InProcessKasse) -> None:
    ref, _ = _lifecycle(kasse)

    stamps = [e["timestamp"] for e in kasse.demo.events(ref).json()]

    assert all(s.endswith("Z") for s in stamps)
    moments = [datetime.fromisoformat(s) for s in stamps]
    assert moments == sorted(moments)


def test_get_and_events_match_the_spec_through_a_whole_lifecycle(kasse: InProcessKasse) -> None:
    ref, _ = _lifecycle(kasse)

    assert_matches_spec(kasse.demo.get(ref).json(), "GetPaymentResponse")
    for event in kasse.demo.events(ref).json():
        assert_matches_spec(event, "PaymentEvent")


def test_get_and_events_answer_json(kasse: InProcessKasse) -> None:
    ref, _ = _lifecycle(kasse)

    assert kasse.demo.get(ref).headers["content-type"] == "application/json"
    assert kasse.demo.events(ref).headers["content-type"] == "application/json"


def test_an_unknown_reference_is_not_found_for_get_and_events(kasse: InProcessKasse) -> None:
    ref = new_reference()

    for r in (kasse.demo.get(ref), kasse.demo.events(ref)):
        problem = assert_problem(r, 404, "5090")
        assert problem["instance"].startswith(f"/epayment/v1/payments/{ref}")


def test_a_malformed_reference_in_the_path_is_a_bad_request(kasse: InProcessKasse) -> None:
    for r in (kasse.demo.get("short"), kasse.demo.events("has_underscore")):
        problem = assert_problem(r, 400)
        assert [d["name"] for d in problem["extraDetails"]] == ["reference"]
