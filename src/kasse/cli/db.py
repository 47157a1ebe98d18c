"""`kasse db`: the database schema (Alembic migrations)."""

from __future__ import annotations

from pathlib import Path

import click

from kasse.cli.serve import _where
from kasse.cli.store import DB_HELP, URL_HELP, check_store, opening, settings_from_env, store_option


@click.group()
def db() -> None:
    """Manage the database schema (Alembic migrations)."""


@db.command("upgrade")
@click.option("--db", "database", default=None, help=DB_HELP)
@click.option("--database-url", default=None, help=URL_HELP)
def db_upgrade(database: str | None, database_url: str | None) -> None:
    """Migrate the database to the schema this kasse knows; refuse a schema newer than it knows.

    An SQLite file that is not there yet is created (with its folder).
    """
    from kasse.bootstrap import schema_revisions, upgrade_schema

    settings = settings_from_env(database=database, database_url=database_url)
    option = store_option(settings, db=database, database_url=database_url)
    check_store(settings, option)
    with opening(settings, option):
        if not settings.database_url and settings.database != ":memory:":
            Path(settings.database).parent.mkdir(parents=True, exist_ok=True)
        before, head = schema_revisions(settings)
        upgrade_schema(settings)
    click.echo(f"database {_where(settings)}: schema {before or 'empty'} -> {head}")
