"""Armed test faults in the shared store, so every process of an installation fires the same ones.

`take` runs in a write transaction that locks the sales unit's faults (PostgreSQL: `FOR UPDATE`; SQLite has
one writer), so a fault's `times` are used exactly once each across processes. The hot path's question
"is anything armed for this sales unit?" is answered from a per-process cache of who has faults, dropped
whenever a commit carries the `FAULTS` topic: at once for this process's commits, through NOTIFY for other
processes' on PostgreSQL. SQLite has no such notification between processes, but there only `kasse serve`
(one process) arms and disarms, so its cache is exact for the API faults of the hot path; a `kasse worker`
beside it reads the webhook faults afresh for every delivery it sends.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, Protocol, TypeVar

from kasse.adapters.sql import rows, statements, tables
from kasse.adapters.sql.connection import is_postgres
from kasse.adapters.sql.unit_of_work import SqlUnitOfWork
from kasse.domain.faults import API_KINDS, Endpoint, Fault, FaultKind
from kasse.services.faults import use_one
from kasse.services.topics import FAULTS

T = TypeVar("T")
_COLUMNS = statements.columns(tables.faults, ("seq",))
_INSERT = statements.insert(tables.faults, ("seq",))


class Store(Protocol):
    def read(self, fn: Callable[[SqlUnitOfWork], T]) -> T: ...
    def write_sync(self, fn: Callable[[SqlUnitOfWork], T]) -> T: ...
    def current(self) -> SqlUnitOfWork | None: ...


def _fault(row: Any) -> Fault:
    return Fault(id=row[0], msn=row[1], kind=FaultKind(row[2]), endpoint=Endpoint(row[3]) if row[3] else None,
                 remaining=row[4], delay_seconds=row[5], armed_at=rows.from_us(row[6]))


def _all(uow: SqlUnitOfWork, msn: str | None = None, *, lock: bool = False) -> list[Fault]:
    where, params = (" WHERE msn = ?", (msn,)) if msn is not None else ("", ())
    locking = " FOR UPDATE" if lock and is_postgres(uow.conn) else ""
    found = uow.conn.execute(f"SELECT {_COLUMNS} FROM faults{where} ORDER BY seq{locking}", params).fetchall()
    return [_fault(r) for r in found]


def _kinds_by_msn(uow: SqlUnitOfWork) -> dict[str, frozenset[FaultKind]]:
    found: dict[str, set[FaultKind]] = {}
    for msn, kind in uow.conn.execute("SELECT DISTINCT msn, kind FROM faults").fetchall():
        found.setdefault(msn, set()).add(FaultKind(kind))
    return {msn: frozenset(kinds) for msn, kinds in found.items()}


class SqlFaultStore:
    def __init__(self, db: Store, *, commits_signalled: bool) -> None:
        self.db = db
        self.commits_signalled = commits_signalled  # other processes' fault changes reach `forget`
        self._armed: dict[str, frozenset[FaultKind]] | None = None
        self._generation = 0  # one more per `forget`: a read that started before one is not cached
        self._lock = threading.Lock()

    def forget(self, topics: frozenset[str]) -> None:
        """Drop the cache when a commit changed faults (an `on_commit` listener)."""
        if FAULTS in topics:
            with self._lock:
                self._armed = None
                self._generation += 1

    def _write(self, fn: Callable[[SqlUnitOfWork], T]) -> T:
        def job(uow: SqlUnitOfWork) -> T:
            uow.topics.add(FAULTS)
            return fn(uow)

        try:
            return self._in_a_transaction(job)
        finally:
            self.forget(frozenset({FAULTS}))  # at once: the next request of this process must see it

    def _in_a_transaction(self, job: Callable[[SqlUnitOfWork], T]) -> T:
        """Run `job` in the write job running on this thread (a ledger closing takes faults), else in one of its own."""
        running = self.db.current()
        return job(running) if running is not None else self.db.write_sync(job)

    def add(self, fault: Fault) -> None:
        f = fault
        self._write(lambda uow: uow.conn.execute(_INSERT, (
            f.id, f.msn, f.kind.value, f.endpoint.value if f.endpoint else None, f.remaining, f.delay_seconds,
            rows.to_us(f.armed_at))))

    def all(self) -> list[Fault]:
        return self.db.read(_all)

    def remove(self, fault_id: str) -> bool:
        return bool(self._write(lambda uow: uow.conn.execute("DELETE FROM faults WHERE id = ?",
                                                             (fault_id,)).rowcount > 0))

    def remove_all(self, msn: str | None) -> int:
        where, params = (" WHERE msn = ?", (msn,)) if msn is not None else ("", ())
        return int(self._write(lambda uow: uow.conn.execute(f"DELETE FROM faults{where}", params).rowcount))

    def armed(self, msn: str, kinds: frozenset[FaultKind]) -> bool:
        armed = self._armed if self.commits_signalled or kinds <= API_KINDS else None
        if armed is None:
            generation = self._generation
            armed = self.db.read(_kinds_by_msn)
            with self._lock:
                if generation == self._generation:
                    self._armed = armed
        return not kinds.isdisjoint(armed.get(msn, ()))

    def take(self, msn: str, kinds: frozenset[FaultKind], endpoint: Endpoint | None) -> Fault | None:
        def job(uow: SqlUnitOfWork) -> Fault | None:
            used = use_one(_all(uow, msn, lock=True), msn, kinds, endpoint)
            if used is None:
                return None
            fault, left = used
            if left is None:
                uow.conn.execute("DELETE FROM faults WHERE id = ?", (fault.id,))
            elif left is not fault:
                uow.conn.execute("UPDATE faults SET remaining = ? WHERE id = ?", (left.remaining, fault.id))
            else:
                return fault  # fires until disarmed: nothing changes, nobody need look again
            uow.topics.add(FAULTS)
            return fault

        fault = self._in_a_transaction(job)
        if fault is not None:
            self.forget(frozenset({FAULTS}))
        return fault
