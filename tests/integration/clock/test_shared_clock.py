"""The test clock is one clock per installation: every process over one database tells the same time."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import httpx
import pytest

from kasse.adapters.clock import ControllableClock
from kasse.adapters.sql.unit_of_work import SqlUnitOfWork
from kasse.adapters.sqlite.database import SqliteDatabase
from kasse.domain.timefmt import parse_rfc3339
from kasse.services import shared_clock
from tests.harness import DEMO_CREDENTIALS, ApiSession, ServerProcess, create_body, new_reference

pytestmark = pytest.mark.slow


def clock_of(server: ServerProcess) -> dict[str, object]:
    return dict(httpx.get(f"{server.url}/_kasse/clock", timeout=5).json())


def now_of(server: ServerProcess) -> datetime:
    return parse_rfc3339(str(clock_of(server)["now"]))


def wait_until(check: object, timeout: float = 10.0) -> None:
    assert callable(check)
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)


@pytest.fixture
def two_servers(tmp_path: Path) -> Iterator[tuple[ServerProcess, ServerProcess]]:
    """Two `kasse serve` processes over one database (one SQLite file, or one PostgreSQL schema)."""
    first = ServerProcess(tmp_path / "kasse.db").start()
    second = ServerProcess(tmp_path / "kasse.db", args=("--no-worker",)).start()
    try:
        yield first, second
    finally:
        second.stop()
        first.stop()


def test_a_move_through_one_process_is_the_time_of_the_other(
        two_servers: tuple[ServerProcess, ServerProcess]) -> None:
    first, second = two_servers
    before = now_of(second)
    moved = httpx.post(f"{first.url}/_kasse/clock/advance", json={"duration": "3h"}, timeout=10)
    assert moved.status_code == 200, moved.text
    wait_until(lambda: now_of(second) >= before + timedelta(hours=3))
    assert abs(now_of(second) - now_of(first)) < timedelta(seconds=2)

    assert httpx.post(f"{second.url}/_kasse/clock/freeze", timeout=10).status_code == 200
    wait_until(lambda: clock_of(first)["frozen"] is True)
    assert now_of(first) == now_of(second)


def test_a_token_from_one_process_runs_out_when_time_moves_through_the_other(
        two_servers: tuple[ServerProcess, ServerProcess]) -> None:
    first, second = two_servers
    with httpx.Client(base_url=second.url, timeout=10) as client:
        api = ApiSession(client, DEMO_CREDENTIALS)
        reference = new_reference("shared")
        created = client.post("/epayment/v1/payments", json=create_body(reference),
                              headers=api.headers(new_reference("key")))
        assert created.status_code == 201, created.text
        assert httpx.post(f"{first.url}/_kasse/clock/advance", json={"duration": "2h"}, timeout=10).status_code == 200
        # the second process never saw a move; its own clock must still say the token has run out
        wait_until(lambda: client.get(f"/epayment/v1/payments/{reference}", headers=api.headers()).status_code == 401)


def test_a_restarted_server_keeps_the_virtual_time(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path / "kasse.db").start()
    try:
        assert httpx.post(f"{server.url}/_kasse/clock/advance", json={"duration": "2d"}, timeout=10).status_code == 200
        moved_to = now_of(server)
        server.kill()
        server.start()
        assert now_of(server) >= moved_to
        assert now_of(server) - datetime.now(moved_to.tzinfo) > timedelta(days=1, hours=23)
    finally:
        server.stop()


def test_follow_takes_on_only_what_another_process_stored(tmp_path: Path) -> None:
    db = SqliteDatabase(str(tmp_path / "clock.db")).open()
    try:
        mover, follower = ControllableClock(), ControllableClock()
        assert db.read(lambda uow: shared_clock.follow(uow, follower)) is False  # nothing stored yet

        def advance(uow: SqlUnitOfWork) -> None:
            shared_clock.move(uow, mover, lambda clock: clock.advance(timedelta(hours=5)))

        db.write_sync(advance)
        assert db.read(lambda uow: shared_clock.follow(uow, follower)) is True
        assert abs(follower.now() - mover.now()) < timedelta(seconds=1)
        assert db.read(lambda uow: shared_clock.follow(uow, follower)) is False  # already there

        db.write_sync(lambda uow: shared_clock.move(uow, follower, lambda clock: clock.freeze()))
        assert db.read(lambda uow: shared_clock.follow(uow, mover)) is True
        assert mover.frozen and mover.now() == follower.now()
    finally:
        db.close()


def test_a_state_read_before_a_newer_move_does_not_undo_it(tmp_path: Path) -> None:
    db = SqliteDatabase(str(tmp_path / "clock.db")).open()
    try:
        clock = ControllableClock()
        db.write_sync(lambda uow: shared_clock.move(uow, clock, lambda c: c.freeze()))
        stale = db.read(lambda uow: uow.clock_state.load())  # what a follower read just now...
        db.write_sync(lambda uow: shared_clock.move(uow, clock, lambda c: c.unfreeze()))  # ...before this landed
        assert stale is not None and stale.frozen_at is not None
        assert clock.restore(stale) is False
        assert not clock.frozen
    finally:
        db.close()
