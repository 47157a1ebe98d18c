"""Rate limits (contract §4.13): five writes of each kind and 120 reads per reference and minute, then 429."""

import httpx
import pytest

from tests.harness import (
    ApiSession,
    InProcessKasse,
    advance_clock,
    aggregate,
    assert_problem,
    authorized,
    create_body,
    new_reference,
)


def assert_limited(r: httpx.Response) -> None:
    assert_problem(r, 429)
    assert 1 <= int(r.headers["retry-after"]) <= 60


def _write(session: ApiSession, op: str, ref: str) -> httpx.Response:
    if op == "create":
        return session.create(create_body(ref, 10000))
    if op == "cancel":
        return session.cancel(ref)
    return session.modify(ref, op, 1000)


def _payment_for(session: ApiSession, op: str) -> str:
    if op == "create":
        return new_reference()
    ref = authorized(session, 10000)
    if op == "refund":
        assert session.modify(ref, "capture", 10000).status_code == 200
    return ref


@pytest.mark.parametrize("op", ["create", "capture", "cancel", "refund"])
def test_the_sixth_write_of_a_kind_within_a_minute_is_limited(kasse: InProcessKasse, op: str) -> None:
    demo = kasse.demo
    ref = _payment_for(demo, op)
    five = [_write(demo, op, ref).status_code for _ in range(5)]

    sixth = _write(demo, op, ref)

    assert 429 not in five
    assert_limited(sixth)


@pytest.mark.parametrize("op", ["create", "capture", "cancel", "refund"])
def test_the_limit_frees_up_a_minute_later(kasse: InProcessKasse, op: str) -> None:
    demo = kasse.demo
    ref = _payment_for(demo, op)
    for _ in range(5):
        _write(demo, op, ref)
    assert_limited(_write(demo, op, ref))

    advance_clock(kasse.client, 60)

    assert _write(demo, op, ref).status_code != 429


def test_a_limited_capture_captures_nothing(kasse: InProcessKasse) -> None:
    demo = kasse.demo
    ref = authorized(demo, 10000)
    for _ in range(5):
        assert demo.modify(ref, "capture", 1000).status_code == 200

    assert_limited(demo.modify(ref, "capture", 1000))
    assert aggregate(demo.get(ref))["captured"] == 5000
    assert [e["name"] for e in demo.events(ref).json()].count("CAPTURED") == 5


def test_a_limited_create_can_be_retried_with_the_same_key(kasse: InProcessKasse) -> None:
    demo = kasse.demo
    ref = new_reference()
    for _ in range(5):
        assert demo.create(create_body(ref, 20000)).status_code in (201, 409)

    limited = demo.create(create_body(ref, 20000), key="after-the-limit")
    advance_clock(kasse.client, 60)
    retried = demo.create(create_body(ref, 20000), key="after-the-limit")

    assert_limited(limited)
    assert_problem(retried, 409, "4150")  # the 429 was not stored as the key's answer


def test_limits_count_per_reference(kasse: InProcessKasse) -> None:
    demo = kasse.demo
    ref = authorized(demo, 10000)
    for _ in range(5):
        demo.modify(ref, "capture", 1000)
    assert_limited(demo.modify(ref, "capture", 1000))

    assert demo.modify(authorized(demo, 10000), "capture", 1000).status_code == 200


def test_limits_count_per_sales_unit(kasse: InProcessKasse) -> None:
    ref = new_reference()
    for _ in range(5):
        kasse.demo.create(create_body(ref))
    assert_limited(kasse.demo.create(create_body(ref)))
    other = kasse.session(kasse.demo.new_merchant())

    assert other.create(create_body(ref)).status_code == 201


def test_kinds_of_write_count_separately(kasse: InProcessKasse) -> None:
    demo = kasse.demo
    ref = authorized(demo, 100000)
    for _ in range(5):
        demo.modify(ref, "capture", 1000)

    assert demo.modify(ref, "refund", 1000).status_code == 200
    assert demo.cancel(ref).status_code == 200


def test_the_121st_read_within_a_minute_is_limited_for_get_and_events_separately(kasse: InProcessKasse) -> None:
    demo = kasse.demo
    ref = authorized(demo, 10000)
    assert all(demo.get(ref).status_code == 200 for _ in range(120))

    limited = demo.get(ref)

    assert_limited(limited)
    assert demo.events(ref).status_code == 200
    advance_clock(kasse.client, 60)
    assert demo.get(ref).status_code == 200


def test_without_limits_a_reference_takes_any_number_of_writes(kasse_no_limits: InProcessKasse) -> None:
    demo = kasse_no_limits.demo
    ref = authorized(demo, 10000)

    statuses = [demo.modify(ref, "capture", 1000).status_code for _ in range(10)]
    reads = [demo.get(ref).status_code for _ in range(130)]

    assert statuses == [200] * 10
    assert set(reads) == {200}
    assert aggregate(demo.get(ref))["captured"] == 10000
