"""`kasse pos staff`: the till's staff accounts (cashiers and managers) in the POS's own database."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from kasse.pos.staff_store import StaffAccounts

db_option = click.option("--db", "database", default=None, metavar="FILE",
                         help="kasse's SQLite file (default ./var/kasse.db, $KASSE_DATABASE); the POS's is beside it.")
pos_db_option = click.option("--pos-db", default=None, metavar="FILE",
                             help="The POS database itself (default $KASSE_POS_DATABASE or <db stem>-pos.db).")


@contextmanager
def _accounts(database: str | None, pos_db: str | None, *, must_exist: bool = False) -> Iterator[StaffAccounts]:
    """The staff of the POS database named by the options; `must_exist`: a path that is not there is a typo."""
    from pathlib import Path

    from kasse.pos.config import pos_database
    from kasse.pos.staff_store import StaffAccounts
    from kasse.pos.store import SqlitePosStore
    from kasse.settings import Settings

    path = pos_db or pos_database(Settings.from_env(database=database))
    if must_exist and not Path(path).exists():
        raise click.BadParameter(f"there is no POS database at {path} (kasse pos staff add makes one)",
                                 param_hint="'--pos-db'" if pos_db else "'--db'")
    try:
        store = SqlitePosStore(path)
    except (sqlite3.Error, OSError) as exc:
        raise click.BadParameter(f"cannot open the POS database {path}: {exc}", param_hint="'--pos-db'") from None
    try:
        yield StaffAccounts(store)
    finally:
        store.close()


def _name(ctx: click.Context, param: click.Parameter, value: str) -> str:
    from kasse.pos.staff import StaffError, check_name

    try:
        return check_name(value)
    except StaffError as exc:
        raise click.BadParameter(f"give {exc}") from None


def _secret(ctx: click.Context, param: click.Parameter, value: str) -> str:
    from kasse.pos.staff import StaffError, check_secret

    try:
        check_secret(value)
    except StaffError as exc:
        raise click.BadParameter(f"give {exc}") from None
    return value


@click.group()
def staff() -> None:
    """The till's staff: cashiers sell and cancel; managers also refund, edit the catalogue and reconcile.

    Signing in at /pos is required in production mode and whenever kasse is reachable from the network;
    a loopback test instance opens the till as a demo manager.
    """


@staff.command("add")
@click.argument("name", callback=_name)
@click.option("--role", type=click.Choice(["cashier", "manager"]), default="cashier", show_default=True,
              help="What they may do at the till.")
@click.option("--pin", prompt="PIN or password", hide_input=True, confirmation_prompt=True, callback=_secret,
              help="A PIN of 4-12 digits or a password of 8-128 characters; asked for (hidden) if not given.")
@db_option
@pos_db_option
def staff_add(name: str, role: str, pin: str, database: str | None, pos_db: str | None) -> None:
    """Add a staff member who signs in at /pos with NAME and a PIN or password (stored as an argon2 hash)."""
    from kasse.pos.staff import Role, hash_secret
    from kasse.pos.staff_store import StaffExistsError

    with _accounts(database, pos_db) as accounts:
        try:
            accounts.add(name, Role(role), hash_secret(pin))
        except StaffExistsError:
            raise click.BadParameter(f"{name!r} is taken (names ignore letter case)", param_hint="NAME") from None
    click.echo(f"added {name} ({role})")


@staff.command("list")
@db_option
@pos_db_option
def staff_list(database: str | None, pos_db: str | None) -> None:
    """List the staff: name, role and when they were added."""
    with _accounts(database, pos_db, must_exist=True) as accounts:
        members = accounts.list()
    if not members:
        click.echo("no staff yet: kasse pos staff add NAME --role manager")
    for m in members:
        added = datetime.fromtimestamp(m.created_at, UTC).strftime("%Y-%m-%d %H:%M UTC")
        click.echo(f"{m.name:<24} {m.role.value:<8} added {added}")


@staff.command("remove")
@click.argument("name")
@db_option
@pos_db_option
def staff_remove(name: str, database: str | None, pos_db: str | None) -> None:
    """Remove a staff member; their open sessions end at once."""
    with _accounts(database, pos_db, must_exist=True) as accounts:
        if not accounts.remove(name.strip()):
            raise click.BadParameter(f"no staff member is called {name!r}", param_hint="NAME")
    click.echo(f"removed {name.strip()}")
