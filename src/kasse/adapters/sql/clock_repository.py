"""The shared test clock's state, one row of the `settings` table that every process reads."""

from __future__ import annotations

from datetime import timedelta

import orjson

from kasse.adapters.sql import rows
from kasse.adapters.sql.connection import Connection, is_postgres
from kasse.domain.clock_state import ClockState
from kasse.services.topics import CLOCK

KEY = "clock"


class SqlClockState:
    def __init__(self, conn: Connection, topics: set[str]) -> None:
        self.conn = conn
        self.topics = topics

    def load(self, *, for_update: bool = False) -> ClockState | None:
        """Return the stored state, locking its row on PostgreSQL when about to change it."""
        lock = " FOR UPDATE" if for_update and is_postgres(self.conn) else ""
        row = self.conn.execute(f"SELECT value FROM settings WHERE key = ?{lock}", (KEY,)).fetchone()
        if row is None:
            return None
        try:
            raw = orjson.loads(row[0])
            frozen = raw.get("frozen_us")
            return ClockState(timedelta(microseconds=raw["offset_us"]),
                              None if frozen is None else rows.from_us(frozen), int(raw.get("version", 0)))
        except (ValueError, TypeError, KeyError, AttributeError, OverflowError) as exc:  # hand-edited or corrupt
            raise ValueError(f"unreadable clock state {row[0]!r:.80}: {type(exc).__name__}") from None

    def save(self, state: ClockState) -> None:
        frozen = None if state.frozen_at is None else rows.to_us(state.frozen_at)
        value = orjson.dumps({"offset_us": state.offset // timedelta(microseconds=1), "frozen_us": frozen,
                              "version": state.version}).decode()
        self.conn.execute(
            "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (KEY, value),
        )
        self.topics.add(CLOCK)
