"""Files only kasse's own user may read (mode 0600): the SQLite databases and the secrets kept beside them.

A secret file appears whole or not at all (written under a temporary name, then linked into place), so
processes starting at once agree on one value and none ever reads a half-written one.
"""

from __future__ import annotations

import errno
import os
import secrets
from collections.abc import Callable
from pathlib import Path

PRIVATE = 0o600
SQLITE_SIDE_FILES = ("-wal", "-shm", "-journal")


def narrow(path: Path) -> None:
    """Take away every permission of group and others on an existing file."""
    try:
        if path.stat().st_mode & 0o077:
            os.chmod(path, PRIVATE)
    except FileNotFoundError:
        pass


def make_private_database(path: str | Path) -> None:
    """Create a SQLite file empty with mode 0600 if missing (SQLite gives its -wal and -shm the same mode).

    A file created by an older kasse with a wider mode is narrowed, with its side files.
    """
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    os.close(os.open(p, os.O_CREAT | os.O_WRONLY, PRIVATE))  # no O_TRUNC: an existing database stays whole
    for f in (p, *(p.with_name(p.name + side) for side in SQLITE_SIDE_FILES)):
        narrow(f)


def read_secret(path: Path) -> str | None:
    """Return the secret stored at `path` (narrowed to 0600 first), None if there is none."""
    narrow(path)
    try:
        value = path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    return value or None


def _written(path: Path, value: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    with os.fdopen(os.open(temporary, os.O_CREAT | os.O_EXCL | os.O_WRONLY, PRIVATE), "w", encoding="utf-8") as f:
        f.write(value + "\n")
        f.flush()
        os.fsync(f.fileno())
    return temporary


def _link(temporary: Path, path: Path) -> bool:
    """Put `temporary` at `path` unless something is there already; tell whether it was put there."""
    try:
        os.link(temporary, path)
    except FileExistsError:
        return False  # another process got there first: theirs is the secret
    except OSError as exc:  # a file system without hard links
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP):
            raise
        if path.exists():
            return False
        os.replace(temporary, path)
    return True


def read_or_create_secret(path: Path, make: Callable[[], str]) -> tuple[str, bool]:
    """Return the secret at `path`, creating it from `make()` if there is none; and whether it was created now."""
    found = read_secret(path)
    if found is not None:
        return found, False
    temporary = _written(path, make())
    try:
        created = _link(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    found = read_secret(path)
    if found is None:
        raise RuntimeError(f"{path} is empty: delete it and start again to make a new secret")
    return found, created


def write_secret(path: Path, value: str) -> None:
    """Store `value` at `path` (mode 0600), replacing what was there in one step."""
    os.replace(_written(path, value), path)


def delete_secret(path: Path) -> None:
    """Remove the secret at `path`, if any."""
    path.unlink(missing_ok=True)
