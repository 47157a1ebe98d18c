"""`kasse pos`: the merchant's POS on the command line (reconciliation)."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from kasse.cli.pos_staff import staff

if TYPE_CHECKING:
    from kasse.pos.config import PosConfig

from kasse.cli.options import BASE_URL, DEFAULT_URL
from kasse.cli.usage import bad_value

NAME_IT = "name it with --pos-db (or --db, kasse's file, beside which the POS keeps its own)"


def _existing(path: str, option: str) -> str:
    if not Path(path).is_file():
        raise bad_value(option, f"there is no POS database at {path}")
    return path


def _asked_of(base_url: str) -> str:
    """Ask the running server which file its POS keeps its sales in."""
    import httpx

    try:
        r = httpx.get(f"{base_url}/pos/api/database", timeout=10.0, trust_env=False)
    except httpx.HTTPError as exc:
        raise click.UsageError(f"cannot reach kasse at {base_url} ({type(exc).__name__}) to ask where its POS keeps "
                               f"its sales; start it, or {NAME_IT}") from None
    if r.status_code != 200:
        raise click.UsageError(f"kasse at {base_url} did not say where its POS keeps its sales (HTTP {r.status_code}"
                               f"{': it asks for sign-in' if r.status_code in (401, 403) else ''}); {NAME_IT}")
    path = str(r.json().get("path", ""))
    if not Path(path).is_file():
        raise click.UsageError(f"kasse at {base_url} keeps its POS sales in {path}, which is not here (no sale yet, "
                               f"or kasse runs on another machine); {NAME_IT}")
    return path


def pos_database(base_url: str, database: str | None, pos_db: str | None) -> str:
    """Return the POS database to read: the one named, else the one the running server at `base_url` uses.

    Raises:
        click.UsageError: the file named is not there, or the server cannot say (exit status 2).
    """
    from kasse.pos.config import pos_database as beside
    from kasse.settings import Settings

    if pos_db is not None:
        return _existing(pos_db, "--pos-db")
    if database is not None:
        return _existing(beside(Settings(database=database)), "--db")
    if os.environ.get("KASSE_POS_DATABASE"):
        return _existing(os.environ["KASSE_POS_DATABASE"], "KASSE_POS_DATABASE")
    return _asked_of(base_url)


def pos_config(database: str | None) -> PosConfig:
    """Return the POS's settings (KASSE_POS_*); a bad one is a usage error naming the variable."""
    from kasse.cli.store import settings_from_env
    from kasse.pos.config import NO_SALES_UNIT, from_settings
    from kasse.settings import SettingsError

    try:
        config = from_settings(settings_from_env(database=database))
    except SettingsError as exc:
        raise bad_value(exc.name, exc.reason) from None
    if config is None:  # production mode without KASSE_POS_*: the demo unit's credentials are public
        raise click.UsageError(NO_SALES_UNIT)
    return config


def reconcile_command(base_url: str, database: str | None, pos_db: str | None, echo: Callable[[str], None]) -> int:
    import asyncio
    from dataclasses import replace

    from kasse.pos.reconcile import reconcile
    from kasse.pos.service import new_client
    from kasse.pos.store import SqlitePosStore
    from kasse.sdk import KasseError, NetworkError

    configured = pos_config(database)
    config = replace(configured, base_url=base_url.rstrip("/"), database=pos_database(base_url, database, pos_db))

    async def run() -> int:
        store = SqlitePosStore(config.database)
        try:
            async with new_client(config) as client:
                try:  # one cheap call first: a platform that is down is not a list of differences
                    await client.webhooks.list()
                except NetworkError as exc:
                    raise click.UsageError(f"cannot reach the platform at {config.base_url} ({exc})") from None
                except KasseError as exc:
                    raise click.UsageError(f"the platform at {config.base_url} refused the POS's sales unit "
                                           f"(MSN {config.msn}, KASSE_POS_*): {exc}") from None
                found = await reconcile(client, store)
                count = len(store.sales())
        finally:
            store.close()
        for d in found:
            echo(f"#{d.receipt_number:<6} {d.reference}  POS {d.pos_status:<9} platform {d.platform:<10} {d.problem}")
        echo(f"{count} sales compared, {len(found)} difference(s)")
        return 1 if found else 0

    return asyncio.run(run())


@click.group()
def pos() -> None:
    """The merchant's POS (served at /pos by `kasse serve`)."""


@pos.command("reconcile")
@click.option("--url", "base_url", type=BASE_URL, default=DEFAULT_URL, show_default=True, envvar="KASSE_URL",
              help="Base URL of the platform ($KASSE_URL); credentials from KASSE_POS_* or the demo sales unit.")
@click.option("--db", "database", default=None, help="kasse's SQLite file; the POS keeps its sales beside it.")
@click.option("--pos-db", default=None, help="The POS database itself (default: <db stem>-pos.db).")
@click.option("--date", "day", type=click.DateTime(["%Y-%m-%d"]), default=None, metavar="YYYY-MM-DD",
              help="End of day: match this ledger date's captures and refunds with the settlement report.")
@click.option("--csv", "csv_file", type=click.Path(dir_okay=False, writable=True), default=None,
              help="With --date: also write every line of the end of day to this CSV file.")
def pos_reconcile(base_url: str, database: str | None, pos_db: str | None, day: datetime | None,
                  csv_file: str | None) -> None:
    """List every difference between the POS's sales and the platform; exit 1 if there is one, 2 if it cannot.

    Without --date: each sale against its ePayment payment. With --date YYYY-MM-DD: the end of day, each
    capture and refund of that ledger date against the Report API's funds report, with fees and payout.
    Without --pos-db or --db (or $KASSE_POS_DATABASE) it asks the server at --url which file its POS uses.
    Exit status 2 when the platform cannot be reached or the POS database cannot be found.
    """
    if day is None:
        if csv_file:
            raise click.UsageError("--csv needs --date YYYY-MM-DD", ctx=click.get_current_context())
        sys.exit(reconcile_command(base_url, database, pos_db, echo=click.echo))
    from kasse.cli.end_of_day import end_of_day_command

    pos_config(database)  # its KASSE_POS_* settings checked here, read again there
    found = pos_database(base_url, database, pos_db)
    sys.exit(end_of_day_command(base_url, database, found, day.date(), csv_file, echo=click.echo))


pos.add_command(staff)
