"""`kasse db`: the database schema (Alembic migrations)."""

from __future__ import annotations

import click

from kasse.cli.serve import _where
from kasse.settings import Settings


@click.group()
def db() -> None:
    """Manage the database schema (Alembic migrations)."""


@db.command("upgrade")
@click.option("--db", "database", default=None, help="SQLite file (default ./var/kasse.db or $KASSE_DATABASE).")
@click.option("--database-url", default=None, help="PostgreSQL URL (default $KASSE_DATABASE_URL).")
def db_upgrade(database: str | None, database_url: str | None) -> None:
    """Migrate the database to the schema this kasse knows; refuse a schema newer than it knows."""
    from kasse.adapters.sql.migrate import SchemaMismatchError
    from kasse.bootstrap import schema_revisions, upgrade_schema

    settings = Settings.from_env(database=database, database_url=database_url)
    before, head = schema_revisions(settings)
    try:
        upgrade_schema(settings)
    except SchemaMismatchError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"database {_where(settings)}: schema {before or 'empty'} -> {head}")


