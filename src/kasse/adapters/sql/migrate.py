"""Applying and checking Alembic migrations; a server never runs on a schema it does not know."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


class SchemaMismatchError(RuntimeError):
    """The database's schema revision is not the one this kasse knows."""


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: sa.Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: sa.Engine, revision: str = "head") -> None:
    config = _config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, revision)


def ensure_current(engine: sa.Engine, *, migrate: bool) -> None:
    """Upgrade an empty or older database when allowed; refuse any revision this kasse does not know."""
    current, head = current_revision(engine), head_revision()
    if current == head:
        return
    known = {rev.revision for rev in ScriptDirectory.from_config(_config()).walk_revisions()}
    if current is not None and current not in known:
        raise SchemaMismatchError(f"database schema {current} is unknown to this kasse (it knows up to {head})")
    if not migrate:
        raise SchemaMismatchError(f"database schema is at {current or 'nothing'}, run 'kasse db upgrade' (head {head})")
    upgrade(engine)
