"""Idempotency (contract §4.11): a retry replays the first answer byte for byte; a changed retry is a conflict."""

from typing import Any

import httpx
import pytest

from tests.harness import (
    InProcessKasse,
    aggregate,
    assert_problem,
    authorized,
    create_body,
    new_reference,
)


def _same(a: httpx.Response, b: httpx.Response) -> bool:
    def seen(r: httpx.Response) -> tuple[int, str, bytes]:
        return r.status_code, r.headers["content-type"], r.content

    return seen(a) == seen(b)


def test_a_repeated_create_replays_the_201_and_creates_one_payment(kasse: InProcessKasse) -> None:
    body = create_body(new_reference())

    first = kasse.demo.create(body, key="create-1")
    again = kasse.demo.create(body, key="create-1")

    assert first.status_code == 201
    assert _same(first, again)
    assert [e["name"] for e in kasse.demo.events(body["reference"]).json()] == ["CREATED"]


def test_a_create_key_reused_for_another_request_is_a_conflict(kasse: InProcessKasse) -> None:
    body = create_body(new_reference(), 10000)
    kasse.demo.create(body, key="create-2")

    for changed in ({**body, "amount": {"currency": "NOK", "value": 20000}}, create_body(new_reference())):
        assert_problem(kasse.demo.create(changed, key="create-2"), 409, "4020")

    assert kasse.demo.get(body["reference"]).json()["amount"]["value"] == 10000


def test_a_refused_create_stays_refused_for_its_key(kasse: InProcessKasse) -> None:
    body = create_body(new_reference(), 99)

    first = kasse.demo.create(body, key="create-3")
    again = kasse.demo.create(body, key="create-3")

    assert_problem(first, 400, "6010")
    assert _same(first, again)


def test_a_repeated_capture_replays_the_first_answer_and_captures_once(kasse: InProcessKasse) -> None:
    demo = kasse.demo
    ref = authorized(demo, 10000)

    first = demo.modify(ref, "capture", 3000, key="capture-1")
    demo.modify(ref, "capture", 1000, key="capture-2")
    again = demo.modify(ref, "capture", 3000, key="capture-1")

    assert first.status_code == 200
    assert _same(first, again)  # the first answer, not a fresh snapshot
    assert aggregate(demo.get(ref))["captured"] == 4000
    assert [e["idempotencyKey"] for e in demo.events(ref).json() if e["name"] == "CAPTURED"] == [
        "capture-1", "capture-2"]


@pytest.mark.parametrize(("op", "code"), [("capture", "4010"), ("refund", "4150")])
def test_a_modification_key_reused_with_another_amount_is_a_conflict(kasse: InProcessKasse, op: str,
                                                                     code: str) -> None:
    demo = kasse.demo
    ref = authorized(demo, 10000)
    demo.modify(ref, "capture", 5000, key="setup-capture")
    assert demo.modify(ref, op, 1000, key=f"{op}-key").status_code == 200

    r = demo.modify(ref, op, 2000, key=f"{op}-key")

    assert_problem(r, 409, code)
    totals = aggregate(demo.get(ref))
    assert (totals["captured"], totals["refunded"]) == ((6000, 0) if op == "capture" else (5000, 1000))


def test_a_refused_capture_stays_refused_for_its_key_after_approval(kasse: InProcessKasse) -> None:
    demo = kasse.demo
    ref = new_reference()
    demo.create(create_body(ref, 10000))
    early = demo.modify(ref, "capture", 10000, key="too-early")
    demo.approve(ref)

    again = demo.modify(ref, "capture", 10000, key="too-early")
    fresh = demo.modify(ref, "capture", 10000, key="in-time")

    assert_problem(early, 400, "6080")
    assert _same(early, again)
    assert fresh.status_code == 200


def test_a_keyed_cancel_replays_instead_of_failing_the_second_time(kasse: InProcessKasse) -> None:
    demo = kasse.demo
    ref = authorized(demo, 10000)

    first = demo.cancel(ref, key="cancel-1")
    again = demo.cancel(ref, key="cancel-1")
    unkeyed = demo.cancel(ref)

    assert first.status_code == 200
    assert _same(first, again)
    assert_problem(unkeyed, 400, "6190")
    assert [e["name"] for e in demo.events(ref).json()].count("CANCELLED") == 1


def test_keys_belong_to_one_sales_unit(kasse: InProcessKasse) -> None:
    other = kasse.session(kasse.demo.new_merchant())

    mine = kasse.demo.create(create_body(new_reference()), key="shared-key")
    theirs = other.create(create_body(new_reference()), key="shared-key")

    assert (mine.status_code, theirs.status_code) == (201, 201)


def _send(kasse: InProcessKasse, op: str, ref: str, key: str | None) -> httpx.Response:
    body: dict[str, Any]
    if op == "create":
        path, body = "/epayment/v1/payments", create_body(ref)
    else:
        path, body = f"/epayment/v1/payments/{ref}/{op}", {"modificationAmount": {"currency": "NOK", "value": 1000}}
    headers = kasse.demo.headers(key)
    r: httpx.Response = kasse.client.post(path, json=body, headers=headers)
    return r


def _event_names(kasse: InProcessKasse, ref: str) -> list[str]:
    r = kasse.demo.events(ref)
    return [e["name"] for e in r.json()] if r.status_code == 200 else []


@pytest.mark.parametrize("op", ["create", "capture", "refund"])
@pytest.mark.parametrize("key", [None, ""], ids=["missing", "empty"])
def test_a_write_without_an_idempotency_key_is_a_bad_request_naming_it(
    kasse: InProcessKasse, op: str, key: str | None
) -> None:
    ref = authorized(kasse.demo, 10000) if op != "create" else new_reference()
    before = _event_names(kasse, ref)

    problem = assert_problem(_send(kasse, op, ref, key), 400)

    assert [d["name"] for d in problem["extraDetails"]] == ["Idempotency-Key"]
    assert _event_names(kasse, ref) == before


@pytest.mark.parametrize("op", ["create", "capture", "refund"])
def test_an_idempotency_key_longer_than_50_characters_is_a_bad_request(kasse: InProcessKasse, op: str) -> None:
    ref = authorized(kasse.demo, 10000) if op != "create" else new_reference()

    problem = assert_problem(_send(kasse, op, ref, "k" * 51), 400)

    assert [d["name"] for d in problem["extraDetails"]] == ["Idempotency-Key"]


def test_an_idempotency_key_of_50_characters_is_accepted_and_echoed(kasse: InProcessKasse) -> None:
    ref = new_reference()

    assert _send(kasse, "create", ref, "k" * 50).status_code == 201
    assert kasse.demo.events(ref).json()[0]["idempotencyKey"] == "k" * 50
