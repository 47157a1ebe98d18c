"""Staff accounts and their sign-in sessions, in the POS's own database (`pos.store`).

A session is a random token in an HttpOnly cookie; only its SHA-256 is stored, so a copy of the database
lets nobody in. Removing a staff member ends their sessions; a role change applies to the next request.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Callable

from kasse.pos.staff import SESSION_LIFETIME, Role, SignedIn, StaffMember, lock_seconds
from kasse.pos.store import SqlitePosStore


class StaffExistsError(Exception):
    """A staff member of that name (in any letter case) exists already."""


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class StaffAccounts:
    """The staff and sessions tables of one POS database."""

    def __init__(self, store: SqlitePosStore, now: Callable[[], float] = time.time) -> None:
        self.store, self.now = store, now

    def add(self, name: str, role: Role, secret_hash: str) -> StaffMember:
        member = StaffMember(name, role, self.now())
        with self.store.transaction() as db:
            if db.execute("SELECT 1 FROM staff WHERE name = ?", (name,)).fetchone():
                raise StaffExistsError(name)
            db.execute("INSERT INTO staff (name, role, secret_hash, created_at) VALUES (?, ?, ?, ?)",
                       (name, role.value, secret_hash, member.created_at))
        return member

    def list(self) -> list[StaffMember]:
        with self.store.transaction() as db:
            rows = db.execute("SELECT name, role, created_at FROM staff ORDER BY name").fetchall()
        return [StaffMember(r[0], Role(r[1]), r[2]) for r in rows]

    def remove(self, name: str) -> bool:
        with self.store.transaction() as db:
            gone = db.execute("DELETE FROM staff WHERE name = ?", (name,)).rowcount
            db.execute("DELETE FROM staff_sessions WHERE name = ?", (name,))
        return bool(gone)

    def credentials(self, name: str) -> tuple[str | None, float]:
        """Return the stored hash for `name` (None if unknown) and until when the account is locked."""
        with self.store.transaction() as db:
            row = db.execute("SELECT secret_hash, locked_until FROM staff WHERE name = ?", (name,)).fetchone()
        return (row[0], row[1]) if row else (None, 0.0)

    def failed(self, name: str) -> None:
        with self.store.transaction() as db:
            row = db.execute("UPDATE staff SET failures = failures + 1 WHERE name = ? RETURNING failures",
                             (name,)).fetchone()
            if row is not None and (wait := lock_seconds(row[0])):
                db.execute("UPDATE staff SET locked_until = ? WHERE name = ?", (self.now() + wait, name))

    def start_session(self, name: str) -> str:
        """Clear the failures, store a new session and return its token (for the cookie only)."""
        token, now = secrets.token_urlsafe(32), self.now()
        with self.store.transaction() as db:
            db.execute("UPDATE staff SET failures = 0, locked_until = 0 WHERE name = ?", (name,))
            db.execute("DELETE FROM staff_sessions WHERE expires_at <= ?", (now,))
            db.execute("INSERT INTO staff_sessions VALUES (?, ?, ?, ?)",
                       (_digest(token), name, now, now + SESSION_LIFETIME))
        return token

    def session(self, token: str) -> SignedIn | None:
        with self.store.transaction() as db:
            row = db.execute("SELECT staff.name, staff.role FROM staff_sessions JOIN staff USING (name)"
                             " WHERE token_hash = ? AND expires_at > ?", (_digest(token), self.now())).fetchone()
        return SignedIn(row[0], Role(row[1])) if row else None

    def end_session(self, token: str) -> None:
        with self.store.transaction() as db:
            db.execute("DELETE FROM staff_sessions WHERE token_hash = ?", (_digest(token),))
