"""`kasse pos`: the merchant's POS on the command line (reconciliation)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import datetime

import click


def reconcile_command(base_url: str, database: str | None, pos_db: str | None, echo: Callable[[str], None]) -> int:
    import asyncio
    from dataclasses import replace
    from pathlib import Path

    from kasse.pos.config import from_settings
    from kasse.pos.reconcile import reconcile
    from kasse.pos.service import new_client
    from kasse.pos.store import SqlitePosStore
    from kasse.settings import Settings

    config = from_settings(Settings.from_env(database=database))
    config = replace(config, base_url=base_url.rstrip("/"), database=pos_db or config.database)
    if not Path(config.database).exists():
        echo(f"no POS database at {config.database}")
        return 2

    async def run() -> int:
        store = SqlitePosStore(config.database)
        async with new_client(config) as client:
            found = await reconcile(client, store)
            count = len(store.sales())
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
@click.option("--url", "base_url", default="http://127.0.0.1:8000", show_default=True, envvar="KASSE_URL",
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
    """
    if day is None:
        if csv_file:
            raise click.UsageError("--csv needs --date YYYY-MM-DD", ctx=click.get_current_context())
        sys.exit(reconcile_command(base_url, database, pos_db, echo=click.echo))
    from kasse.cli.end_of_day import end_of_day_command

    sys.exit(end_of_day_command(base_url, database, pos_db, day.date(), csv_file, echo=click.echo))


