"""kasse's settings and store as the commands open them: whatever is wrong is one line naming its option.

`--db`, `--database-url`, `KASSE_DATABASE`, `KASSE_DATABASE_URL` and the `KASSE_*` number settings are
checked before anything starts, so `kasse serve` refuses to start instead of printing "Listening" and a
traceback per worker, and `kasse db upgrade` never creates a database somewhere it cannot finish.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar

import click

from kasse.adapters.store_location import database_url_problem, sqlite_file_problem
from kasse.cli.usage import bad_value
from kasse.settings import Settings, SettingsError

if TYPE_CHECKING:
    from kasse.bootstrap import Database
    from kasse.container import Container
    from kasse.services.ports import UnitOfWork

T = TypeVar("T")
F = TypeVar("F", bound=Callable[..., object])

DB_HELP = "SQLite file (default ./var/kasse.db or $KASSE_DATABASE)."
URL_HELP = "PostgreSQL URL (default $KASSE_DATABASE_URL)."


def settings_from_env(**overrides: object) -> Settings:
    """Read the settings; a bad `KASSE_*` variable is a usage error naming it."""
    try:
        return Settings.from_env(**overrides)
    except SettingsError as exc:
        raise bad_value(exc.name, exc.reason) from None


def store_option(settings: Settings, *, db: str | None = None, database_url: str | None = None) -> str:
    """Name where the store came from: the option given, else the environment variable, else `--db`."""
    if settings.database_url:
        return "--database-url" if database_url else "KASSE_DATABASE_URL"
    if db is None and os.environ.get("KASSE_DATABASE"):
        return "KASSE_DATABASE"
    return "--db"


def check_store(settings: Settings, option: str, *, must_exist: bool = False) -> None:
    """Refuse, naming `option`, a store kasse could not open (checked before any driver is asked)."""
    if settings.database_url:
        problem = database_url_problem(settings.database_url)
    else:
        problem = sqlite_file_problem(settings.database, must_exist=must_exist)
    if problem is not None:
        raise bad_value(option, problem)


def _one_line(exc: BaseException) -> str:
    cause = getattr(exc, "orig", None) or exc  # SQLAlchemy wraps the driver's error
    return " ".join(str(cause).split()) or type(cause).__name__


def _store_errors() -> tuple[type[BaseException], ...]:
    import sqlalchemy.exc

    found: list[type[BaseException]] = [sqlite3.Error, sqlalchemy.exc.SQLAlchemyError, OSError]
    try:
        import psycopg
    except ImportError:  # pragma: no cover - psycopg is a dependency; PostgreSQL is optional at run time
        pass
    else:
        found.append(psycopg.Error)
    return tuple(found)


@contextmanager
def opening(settings: Settings, option: str) -> Iterator[None]:
    """Turn a driver's refusal to open the store into one line naming `option`."""
    from kasse.adapters.sql.migrate import SchemaMismatchError

    try:
        yield
    except SchemaMismatchError as exc:
        raise click.ClickException(str(exc)) from None
    except _store_errors() as exc:
        what = "cannot reach PostgreSQL" if settings.database_url else f"cannot open {settings.database}"
        raise bad_value(option, f"{what}: {_one_line(exc)}") from None


def open_checked(settings: Settings, option: str, opener: Callable[[Settings], T], *, must_exist: bool = False) -> T:
    """Check the store, then run `opener` on it (bootstrap's `build`, `open_database`, ...) with errors named."""
    check_store(settings, option, must_exist=must_exist)
    with opening(settings, option):
        return opener(settings)


def build_checked(settings: Settings, option: str, *, must_exist: bool = False) -> Container:
    """Return the wired container for a command that works on the store directly."""
    from kasse.bootstrap import build

    return open_checked(settings, option, build, must_exist=must_exist)


def open_database_checked(settings: Settings, option: str, *, migrate: bool) -> Database:
    """Open (and, if allowed, migrate) the store alone, e.g. to try it before `kasse serve` starts its workers."""
    from kasse.bootstrap import open_database

    return open_checked(settings, option, lambda s: open_database(s, migrate=migrate))


def direct_store(database: str | None, database_url: str | None) -> tuple[Settings, str] | None:
    """Return the store a command should write directly, and the option naming it; None: use the control plane.

    Directly when told so (`--db`, `--database-url`) or in production mode, where there is no control plane
    (`KASSE_DATABASE_URL` or `KASSE_DATABASE` then name the store). Never the demo data: a store written this
    way gets only what the command makes.
    """
    from dataclasses import replace

    settings = settings_from_env(database=database, database_url=database_url, seed_demo=False)
    if database is None and database_url is None and not settings.production:
        return None
    if database is not None and database_url is None:
        settings = replace(settings, database_url=None)  # the file asked for, not a PostgreSQL of the environment
    return settings, store_option(settings, db=database, database_url=database_url)


def direct_options(command: F) -> F:
    """Add `--db` and `--database-url`, which make a command work on that store instead of the server."""
    command = click.option("--database-url", default=None, metavar="URL",
                           help="Work on this PostgreSQL store directly instead of the server.")(command)
    return click.option("--db", "database", default=None, metavar="FILE",
                        help="Work on this SQLite file directly instead of the server (it must exist).")(command)


def listed(database: str | None, database_url: str | None, base_url: str, path: str,
           read: Callable[[UnitOfWork], list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """What a `list` command shows: `read` from the store when told so (`--db`, production), else GET `path`."""
    from kasse.cli.control_plane import talk_to

    direct = direct_store(database, database_url)
    if direct is None:
        found: list[dict[str, Any]] = talk_to(base_url, lambda c: c.call("GET", path))
        return found
    container = build_checked(*direct, must_exist=True)
    try:
        return container.db.read(read)
    finally:
        container.db.close()
