"""One request cannot brick a test instance (issue #12 item 7): the clock is bounded like its moves, every date
out of the calendar is a 400 naming its field, and a stored clock that cannot be used is reset at start.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from starlette.testclient import TestClient

from kasse.bootstrap import build
from kasse.domain.clock_state import ClockState
from kasse.domain.timefmt import rfc3339
from kasse.server import create_app
from kasse.services.ports import UnitOfWork
from tests.harness import DEMO_CREDENTIALS, InProcessKasse, assert_problem, create_body, new_reference

OUT_OF_CALENDAR = ["9999-12-31T23:59:59-05:00", "0001-01-01T00:00:00+01:00"]


def _names(problem: dict[str, Any]) -> list[str]:
    return [e["name"] for e in problem["extraDetails"]]


def _works(k: InProcessKasse) -> None:
    assert k.client.get("/_kasse/clock").status_code == 200
    session = k.session(DEMO_CREDENTIALS)  # a fresh token: the one taken before a move may have expired
    assert session.create(create_body(new_reference())).status_code == 201


def test_setting_the_clock_to_the_end_of_the_calendar_is_refused_and_harms_nothing(kasse: InProcessKasse) -> None:
    r = kasse.client.post("/_kasse/clock/set", json={"now": "9999-12-31T23:59:59Z"})

    assert _names(assert_problem(r, 400)) == ["now"]
    _works(kasse)


def test_set_moves_at_most_ten_years_like_advance(kasse: InProcessKasse) -> None:
    now = datetime.fromisoformat(kasse.client.get("/_kasse/clock").json()["now"])

    far = kasse.client.post("/_kasse/clock/set", json={"now": rfc3339(now + timedelta(days=3651))})
    near = kasse.client.post("/_kasse/clock/set", json={"now": rfc3339(now + timedelta(days=3649))})

    assert _names(assert_problem(far, 400)) == ["now"]
    assert near.status_code == 200


def test_moves_cannot_add_up_past_a_century_ahead(kasse: InProcessKasse) -> None:
    moved = [kasse.client.post("/_kasse/clock/advance", json={"duration": "3650d"}).status_code for _ in range(10)]

    r = kasse.client.post("/_kasse/clock/advance", json={"duration": "3650d"})

    assert moved == [200] * 10
    assert _names(assert_problem(r, 400)) == ["duration"]
    _works(kasse)


@pytest.mark.parametrize("moment", OUT_OF_CALENDAR)
def test_a_moment_outside_the_calendar_in_utc_is_a_400_naming_now(kasse: InProcessKasse, moment: str) -> None:
    r = kasse.client.post("/_kasse/clock/set", json={"now": moment})

    assert _names(assert_problem(r, 400)) == ["now"]


@pytest.mark.parametrize("moment", [*OUT_OF_CALENDAR, "9999-12-31T23:59:59Z"])
def test_an_expiry_outside_the_calendar_is_a_400_naming_expires_at(kasse: InProcessKasse, moment: str) -> None:
    r = kasse.demo.create(create_body(new_reference(), expiresAt=moment))

    assert r.status_code == 400, r.text
    assert "expiresAt" in r.text


def test_a_webhook_delay_beyond_the_calendar_is_a_400_naming_delay_seconds(kasse: InProcessKasse) -> None:
    r = kasse.client.post("/_kasse/faults", json={"msn": DEMO_CREDENTIALS.msn, "kind": "webhook.delay",
                                                  "delaySeconds": 1e18})

    assert _names(assert_problem(r, 400)) == ["delaySeconds"]


@contextmanager
def _restarted(k: InProcessKasse) -> Iterator[InProcessKasse]:
    """A second start of kasse over the same database, as after a restart."""
    container = build(k.container.settings)
    try:
        with TestClient(create_app(container), base_url="http://127.0.0.1:8000") as client:
            yield InProcessKasse(container, client)
    finally:
        container.db.close()


def _bricked(uow: UnitOfWork) -> None:  # what an older kasse stored after `clock set 9999-12-31T23:59:59Z`
    uow.clock_state.save(ClockState(datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC) - datetime.now(UTC), None, 7))


def _garbled(uow: UnitOfWork) -> None:
    uow.clock_state.save(ClockState(version=3))
    uow.conn.execute("UPDATE settings SET value = '{\"offset_us\": \"soon\"}' WHERE key = 'clock'")  # type: ignore[attr-defined]


@pytest.mark.parametrize("write", [_bricked, _garbled], ids=["year-9999", "unreadable"])
def test_a_stored_clock_that_cannot_be_used_is_reset_at_start_with_one_line(
    kasse: InProcessKasse, caplog: pytest.LogCaptureFixture, write: Any
) -> None:
    kasse.container.db.write_sync(write)
    caplog.set_level(logging.INFO, logger="kasse")

    with _restarted(kasse) as k:
        now = datetime.fromisoformat(k.client.get("/_kasse/clock").json()["now"])

        assert abs(now - datetime.now(UTC)) < timedelta(minutes=1)
        _works(k)
    resets = [r.getMessage() for r in caplog.records if "clock was reset" in r.getMessage()]
    assert len(resets) == 1
    assert "\n" not in resets[0]
