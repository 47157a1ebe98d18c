"""The composition root: the one place that knows which adapters exist and wires them together."""

from __future__ import annotations

import logging
import secrets
from dataclasses import replace
from typing import TYPE_CHECKING, TypeAlias

import sqlalchemy as sa

from kasse.adapters.clock import ControllableClock, SystemClock
from kasse.adapters.commit_signal import CommitSignal
from kasse.adapters.ids import RandomIds
from kasse.adapters.jwt_tokens import JwtTokens
from kasse.adapters.private_files import make_private_database, read_or_create_secret, read_secret
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
from kasse.services.request_recording import RequestRecorder, Retention
from kasse.services.shared_clock import follow, reset_unusable
from kasse.services.users import seed_demo_users
from kasse.settings import DEMO_UNITS, Settings

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
    if settings.database != ":memory:":
        make_private_database(settings.database)
    return f"sqlite:///{settings.database}"


SIGNING_KEY_FILE = "-signing.key"  # beside the SQLite database: var/kasse.db -> var/kasse-signing.key
OPERATOR_TOKEN_FILE = "-admin.token"


def _stored_signing_secret(uow: SqlUnitOfWork) -> str | None:
    row = uow.conn.execute("SELECT value FROM settings WHERE key = 'jwt_secret'").fetchone()
    return str(row[0]) if row else None


def _forget_stored_signing_secret(uow: SqlUnitOfWork) -> None:
    uow.conn.execute("DELETE FROM settings WHERE key = 'jwt_secret'")


def _signing_secret_in_database(uow: SqlUnitOfWork) -> str:
    secret = _stored_signing_secret(uow)
    if secret is None:
        secret = secrets.token_urlsafe(48)
        uow.conn.execute("INSERT INTO settings (key, value) VALUES ('jwt_secret', ?)", (secret,))
    return secret


def _signing_secret(settings: Settings, db: Database) -> str:
    """Return the key access tokens are signed with; anyone who reads it can mint tokens for every sales unit.

    `KASSE_SIGNING_SECRET` if set; else, on SQLite, a 0600 file beside the database (an older kasse kept it in
    the world-readable database file: it moves to the file, so tokens already issued stay valid); PostgreSQL,
    shared by processes on several hosts, keeps it in its settings table unless the variable is set.
    """
    path = None if settings.database_url else settings.beside_database(SIGNING_KEY_FILE)
    if settings.signing_secret:
        db.write_sync(_forget_stored_signing_secret)
        return settings.signing_secret
    if settings.database_url:
        return db.write_sync(_signing_secret_in_database)
    if path is None:  # an in-memory database lives as long as this process, and so may its key
        return secrets.token_urlsafe(48)
    secret = read_secret(path)
    if secret is None:
        moved = db.read(_stored_signing_secret)
        secret, _ = read_or_create_secret(path, lambda: moved or secrets.token_urlsafe(48))
    db.write_sync(_forget_stored_signing_secret)
    return secret


def operator_token(settings: Settings) -> tuple[str, bool] | None:
    """Return the operator token guarding `/_kasse` and `/console`, and whether it was made just now.

    None on a loopback test instance, which needs none. `KASSE_ADMIN_TOKEN` if set; else a token made once
    and kept in a 0600 file beside the database, so restarts and every worker process use the same one.
    """
    if not settings.exposed:
        return None
    if settings.admin_token:
        return settings.admin_token, False
    path = settings.beside_database(OPERATOR_TOKEN_FILE)
    if path is None:
        return secrets.token_urlsafe(32), True
    return read_or_create_secret(path, lambda: secrets.token_urlsafe(32))


def seed_demo(container: Container) -> list[NewMerchant]:
    """Seed the demo units that are not there yet (test mode only: their credentials are public)."""
    def seed(uow: UnitOfWork) -> list[NewMerchant]:
        return [create_merchant(uow, container.clock, container.ids,
                                MerchantSpec(name=u.name, msn=u.msn, client_id=u.client_id,
                                             client_secret=u.client_secret, subscription_key=u.subscription_key))
                for u in DEMO_UNITS if uow.merchants.get(u.msn) is None]

    return container.db.write_sync(seed)


def build(settings: Settings) -> Container:
    token = operator_token(settings)
    if token is not None:
        settings = replace(settings, admin_token=token[0])
        if token[1]:
            log.info("made the operator token for /_kasse and /console: %s", settings.beside_database(
                OPERATOR_TOKEN_FILE))
    # PostgreSQL in production is migrated by `kasse db upgrade` only; a test instance migrates itself
    db = open_database(settings, migrate=not (settings.production and settings.database_url))
    clock = ControllableClock()
    container = Container(
        settings=settings,
        db=db,
        clock=clock,
        ids=RandomIds(),
        # the demo units' credentials are public: a token issued before a switch to production no longer counts
        tokens=JwtTokens(_signing_secret(settings, db),
                         refused=frozenset(u.client_id for u in DEMO_UNITS) if settings.production else frozenset()),
        limiter=(SqlRateLimiter if settings.database_url else MemoryRateLimiter)(clock.now,
                                                                               enabled=settings.rate_limits),
        qr=SegnoQrRenderer(),
        sender=AiohttpWebhookSender(SystemClock(), targets=settings.webhook_targets),
        commits=CommitSignal(),
        qr_reader=ZxingQrReader(),
        faults=_fault_board(settings, db, clock),
        requests=RequestRecorder(db, clock, Retention(settings.request_log_max_rows, settings.request_log_max_age))
        if settings.records_requests else None,
    )
    db.on_commit(container.commits.notify)
    if not settings.production:  # a restarted server keeps the virtual time it had (services/shared_clock.py)
        reset = db.write_sync(lambda uow: reset_unusable(uow, SystemClock().now()))
        if reset is not None:
            log.warning("kasse's test clock was reset to real time: its stored state could not be used: %s", reset)
        db.read(lambda uow: follow(uow, clock))
    if settings.seed_demo and not settings.production:  # the demo's credentials are public (README, banner)
        seed_demo(container)
        db.write_sync(lambda uow: seed_demo_users(uow, container.clock, container.ids))
    return container
