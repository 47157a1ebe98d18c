"""Whether a place can hold kasse's store: an SQLite file kasse may create or write, or a PostgreSQL URL.

Asked before anything opens the store, so a bad `--db` or `KASSE_DATABASE_URL` is one sentence naming
what is wrong, not a driver's traceback from deep inside a migration.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit

SQLITE_HEADER = b"SQLite format 3\x00"  # the first 16 bytes of every SQLite database file
POSTGRES_SCHEMES = ("postgresql", "postgres", "postgresql+psycopg")


def _nearest_existing(path: Path) -> Path:
    for parent in path.parents:
        if parent.exists():
            return parent
    return Path(path.anchor or ".")


def sqlite_file_problem(path: str, *, must_exist: bool = False) -> str | None:
    """Return why `path` cannot be kasse's SQLite database (None when it can).

    `must_exist`: refuse a file that is not there yet instead of creating it (a typo would otherwise
    start a new, empty store beside the one the server uses).
    """
    if path == ":memory:":
        return None
    file = Path(path)
    if file.is_dir():
        return f"{path} is a directory, not an SQLite file"
    if not file.exists():
        if must_exist:
            return f"there is no database at {path} (start `kasse serve` with it once, or run `kasse db upgrade`)"
        parent = _nearest_existing(file.absolute())
        if not parent.is_dir():
            return f"cannot create {path}: {parent} is not a directory"
        if not os.access(parent, os.W_OK | os.X_OK):
            return f"cannot create {path}: {parent} is not writable"
        return None
    if not os.access(file, os.R_OK | os.W_OK):
        return f"cannot write {path}: permission denied"
    if not os.access(file.parent, os.W_OK | os.X_OK):  # SQLite keeps its -wal and -shm files beside it
        return f"cannot write beside {path}: {file.parent} is not writable"
    with file.open("rb") as f:
        head = f.read(len(SQLITE_HEADER))
    if head and head != SQLITE_HEADER:
        return f"{path} is not an SQLite database"
    return None


def database_url_problem(url: str) -> str | None:
    """Return why `url` cannot name kasse's PostgreSQL store (None when it can); never repeats the URL,
    which may hold a password."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - parsing the port is the check
    except ValueError as exc:
        return f"not a URL ({exc})"
    if parts.scheme not in POSTGRES_SCHEMES:
        said = f"a {parts.scheme}:// URL" if parts.scheme else "no URL"
        return f"kasse stores in PostgreSQL (postgresql://user@host:port/database) or an SQLite file, not {said}"
    if not (parts.hostname or parts.path.strip("/")):
        return "the URL names no server and no database"
    return None
