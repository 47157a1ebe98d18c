"""The composition root: the one place that knows which adapters exist and wires them together."""

from __future__ import annotations

import logging
import secrets
from typing import TYPE_CHECKING, TypeAlias

import sqlalchemy as sa

from kasse.adapters.clock import ControllableClock, SystemClock
from kasse.adapters.commit_signal import CommitSignal
from kasse.adapters.ids import RandomIds
from kasse.adapters.jwt_tokens import JwtTokens
from kasse.adapters.qr_decode import ZxingQrReader
from kasse.adapters.qr_render import SegnoQrRenderer
from kasse.adapters.rate_limits import MemoryRateLimiter, SqlRateLimiter
from kasse.adapters.sql.fault_store import SqlFaultStore
from kasse.adapters.sql.migrate import current_revision, ensure_current, head_revision
from kasse.adapters.sql.unit_of_work import SqlUnitOfWork
from kasse.adapters.sqlite.database import SqliteDatabase
from kasse.adapters.webhook_sender import AiohttpWebhookSender
from kasse.container import Container
from kasse.services.faults import FaultBoard
from kasse.services.merchants import MerchantSpec, NewMerchant, create_merchant
from kasse.services.ports import UnitOfWork
from kasse.services.shared_clock import follow, reset_unusable
from kasse.services.users import seed_demo_users
from kasse.settings import DEMO, Settings

if TYPE_CHECKING:  # psycopg is imported only when KASSE_DATABASE_URL asks for PostgreSQL
    from kasse.adapters.postgres.database import PostgresDatabase

log = logging.getLogger("kasse")

Database: TypeAlias = "SqliteDatabase | PostgresDatabase"

def _fault_board(settings: Settings, db: Database, clock: ControllableClock) -> FaultBoard:
    """Armed test faults in the shared store: every process of the installation fires the same (issue #17)."""
    store = SqlFaultStore(db, commits_signalled=bool(settings.database_url))
    db.on_commit(store.forget)
    return FaultBoard(clock, RandomIds(), store, enabled=not settings.production)


def open_database(settings: Settings, *, migrate: bool = True) -> Database:
    """PostgreSQL when `KASSE_DATABASE_URL` names one, else the SQLite file."""
    if settings.database_url:
        from kasse.adapters.postgres.database import PostgresDatabase

        return PostgresDatabase(settings.database_url, migrate=migrate).open()
    return SqliteDatabase(settings.database, synchronous=settings.synchronous, migrate=migrate).open()


def schema_revisions(settings: Settings) -> tuple[str | None, str]:
    """Return the database's schema revision (None when empty) and the one this kasse knows."""
    engine = sa.create_engine(_engine_url(settings), poolclass=sa.NullPool)
    try:
        return current_revision(engine), head_revision()
    finally:
        engine.dispose()


def upgrade_schema(settings: Settings) -> None:
    """`kasse db upgrade`: migrate to head (PostgreSQL under an advisory lock); refuse an unknown revision."""
    if settings.database_url:
        from kasse.adapters.postgres.database import PostgresDatabase

        PostgresDatabase(settings.database_url).upgrade()
        return
    engine = sa.create_engine(_engine_url(settings), poolclass=sa.NullPool)
    try:
        ensure_current(engine, migrate=True)
    finally:
        engine.dispose()


def _engine_url(settings: Settings) -> str:
    if settings.database_url:
        from kasse.adapters.postgres.connection import sqlalchemy_url

        return sqlalchemy_url(settings.database_url)
    return f"sqlite:///{settings.database}"


def _signing_secret(db: Database) -> str:
    def load_or_create(uow: SqlUnitOfWork) -> str:
        row = uow.conn.execute("SELECT value FROM settings WHERE key = 'jwt_secret'").fetchone()
        if row:
            return str(row[0])
        secret = secrets.token_urlsafe(48)
        uow.conn.execute("INSERT INTO settings (key, value) VALUES ('jwt_secret', ?)", (secret,))
        return secret

    return db.write_sync(load_or_create)


def seed_demo(container: Container) -> NewMerchant | None:
    spec = MerchantSpec(name=DEMO.name, msn=DEMO.msn, client_id=DEMO.client_id, client_secret=DEMO.client_secret,
                        subscription_key=DEMO.subscription_key)

    def seed(uow: UnitOfWork) -> NewMerchant | None:
        if uow.merchants.get(DEMO.msn) is not None:
            return None
        return create_merchant(uow, container.clock, container.ids, spec)

    return container.db.write_sync(seed)


def build(settings: Settings) -> Container:
    # PostgreSQL in production is migrated by `kasse db upgrade` only; a test instance migrates itself
    db = open_database(settings, migrate=not (settings.production and settings.database_url))
    clock = ControllableClock()
    container = Container(
        settings=settings,
        db=db,
        clock=clock,
        ids=RandomIds(),
        tokens=JwtTokens(_signing_secret(db)),
        limiter=(SqlRateLimiter if settings.database_url else MemoryRateLimiter)(clock.now,
                                                                               enabled=settings.rate_limits),
        qr=SegnoQrRenderer(),
        sender=AiohttpWebhookSender(SystemClock(), targets=settings.webhook_targets),
        commits=CommitSignal(),
        qr_reader=ZxingQrReader(),
        faults=_fault_board(settings, db, clock),
    )
    db.on_commit(container.commits.notify)
    if not settings.production:  # a restarted server keeps the virtual time it had (services/shared_clock.py)
        reset = db.write_sync(lambda uow: reset_unusable(uow, SystemClock().now()))
        if reset is not None:
            log.warning("kasse's test clock was reset to real time: its stored state could not be used: %s", reset)
        db.read(lambda uow: follow(uow, clock))
    if settings.seed_demo:
        seed_demo(container)
        db.write_sync(lambda uow: seed_demo_users(uow, container.clock, container.ids))
    return container
