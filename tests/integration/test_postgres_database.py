"""The PostgreSQL adapter on its own: placeholders, URLs, migrations, the schema check, retried races."""

from __future__ import annotations

import threading
import uuid
from collections import Counter
from collections.abc import Callable, Iterator

import psycopg
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from click.testing import CliRunner

from kasse.adapters.postgres.connection import is_postgres_url, libpq_url, sqlalchemy_url, translate, with_schema
from kasse.adapters.postgres.database import PostgresDatabase
from kasse.adapters.sql.migrate import SchemaMismatchError, head_revision
from kasse.adapters.sql.repositories import SqlUnitOfWork
from kasse.adapters.sql.tables import metadata
from kasse.cli import main
from kasse.domain.errors import DomainError
from kasse.domain.payment import Payment
from kasse.domain.payment_state import Operation
from kasse.services.payments import advance, approve_payment, load
from tests.harness import TEST_DATABASE_URL, InProcessKasse, create_body, new_reference, schema_url

postgres = pytest.mark.postgres  # skipped unless KASSE_TEST_DATABASE_URL is set (tests/conftest.py)


def test_qmark_placeholders_become_format_placeholders_and_percent_signs_are_kept() -> None:
    assert translate("SELECT a FROM t WHERE b = ? AND c LIKE 'x%' LIMIT ?") == (
        "SELECT a FROM t WHERE b = %s AND c LIKE 'x%%' LIMIT %s")


def test_urls_for_libpq_and_sqlalchemy() -> None:
    assert libpq_url("postgresql+psycopg://u@h:5432/d") == "postgresql://u@h:5432/d"
    assert libpq_url("postgres://u@h/d") == "postgresql://u@h/d"
    assert sqlalchemy_url("postgresql://u@h/d?sslmode=require") == "postgresql+psycopg://u@h/d?sslmode=require"
    assert with_schema("postgresql://u@h/d?sslmode=require", "s1") == (
        "postgresql://u@h/d?sslmode=require&options=-csearch_path%3Ds1")
    assert is_postgres_url("postgresql://h/d") and is_postgres_url("postgres://h/d")
    assert not is_postgres_url("sqlite:///x.db") and not is_postgres_url(None)


@pytest.fixture
def pg_url() -> Iterator[str]:
    if TEST_DATABASE_URL is None:
        pytest.skip("KASSE_TEST_DATABASE_URL is not set")
    yield schema_url(f"adapter-{uuid.uuid4().hex}")


@pytest.fixture
def pg(pg_url: str) -> Iterator[PostgresDatabase]:
    db = PostgresDatabase(pg_url).open()
    try:
        yield db
    finally:
        db.close()


@postgres
def test_the_migrations_make_exactly_the_tables_of_tables_py(pg: PostgresDatabase) -> None:
    engine = sa.create_engine(pg.url, poolclass=sa.NullPool)
    try:
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), metadata)
    finally:
        engine.dispose()
    assert diff == []


@postgres
def test_every_column_type_round_trips(pg: PostgresDatabase) -> None:
    def write(uow: SqlUnitOfWork) -> None:
        uow.conn.execute("INSERT INTO idempotency_keys (msn, key, fingerprint, status, body, created_at)"
                         " VALUES (?,?,?,?,?,?)", ("1", "k", "f", 201, b"\x00\xffbytes", 2**60))

    pg.write_sync(write)
    row = pg.read(lambda uow: uow.conn.execute("SELECT status, body, created_at FROM idempotency_keys").fetchone())
    assert (row[0], bytes(row[1]), row[2]) == (201, b"\x00\xffbytes", 2**60)


@postgres
def test_racing_inserts_of_one_key_are_retried_into_one_row(pg: PostgresDatabase) -> None:
    """A job that loses a unique-key race runs again and then reads the winner's row, as in one process."""
    barrier = threading.Barrier(8)

    def get_or_create(uow: SqlUnitOfWork) -> str:
        row = uow.conn.execute("SELECT value FROM settings WHERE key = 'race'").fetchone()
        if row:
            return str(row[0])
        mine = uuid.uuid4().hex
        uow.conn.execute("INSERT INTO settings (key, value) VALUES ('race', ?)", (mine,))
        return mine

    results: list[str] = []

    def racer() -> None:
        barrier.wait()
        results.append(pg.write_sync(get_or_create))

    threads = [threading.Thread(target=racer) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(results)) == 1 and len(results) == 8


@postgres
def test_a_failing_job_rolls_back_alone(pg: PostgresDatabase) -> None:
    def fails(uow: SqlUnitOfWork) -> None:
        uow.conn.execute("INSERT INTO settings (key, value) VALUES ('half', 'done')")
        raise ValueError("no")

    with pytest.raises(ValueError, match="no"):
        pg.write_sync(fails)
    assert pg.read(lambda uow: uow.conn.execute("SELECT 1 FROM settings WHERE key = 'half'").fetchone()) is None


@postgres
def test_a_commit_in_one_process_wakes_the_listeners_of_another(pg: PostgresDatabase, pg_url: str) -> None:
    other = PostgresDatabase(pg_url).open()
    woke = threading.Event()
    try:
        other.on_commit(woke.set)
        pg.write_sync(lambda uow: uow.conn.execute("INSERT INTO settings (key, value) VALUES ('ping', '1')"))
        assert woke.wait(5.0)
    finally:
        other.close()


@postgres
def test_a_schema_newer_than_this_kasse_is_refused(pg_url: str) -> None:
    PostgresDatabase(pg_url).upgrade()
    with psycopg.connect(libpq_url(pg_url), autocommit=True) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")

    with pytest.raises(SchemaMismatchError, match="unknown"):
        PostgresDatabase(pg_url).open()
    result = CliRunner().invoke(main, ["db", "upgrade", "--database-url", pg_url])
    assert result.exit_code != 0 and "unknown to this kasse" in result.output


@postgres
def test_kasse_db_upgrade_migrates_an_empty_schema_and_production_servers_do_not(pg_url: str) -> None:
    with pytest.raises(SchemaMismatchError, match="kasse db upgrade"):
        PostgresDatabase(pg_url, migrate=False).open()

    result = CliRunner().invoke(main, ["db", "upgrade", "--database-url", pg_url])

    assert result.exit_code == 0, result.output
    assert f"schema empty -> {head_revision()}" in result.output
    PostgresDatabase(pg_url, migrate=False).open().close()


@postgres
def test_approval_racing_expiry_one_wins_and_the_other_is_retried_into_a_refusal(kasse: InProcessKasse) -> None:
    """The version check rejects the lost update; the retried loser reads the winner's state and is refused."""
    ref = new_reference("race")
    assert kasse.demo.create(create_body(ref)).status_code == 201
    c, msn = kasse.container, kasse.demo.creds.msn
    barrier = threading.Barrier(2, timeout=10)
    attempts: Counter[str] = Counter()
    outcomes: dict[str, str] = {}

    def job(name: str, act: Callable[[SqlUnitOfWork, Payment], Payment]) -> Callable[[SqlUnitOfWork], str]:
        def run(uow: SqlUnitOfWork) -> str:
            payment = load(uow, msn, ref)
            attempts[name] += 1
            if attempts[name] == 1:
                barrier.wait()  # both have read the same version before either writes
            return act(uow, payment).state.value
        return run

    def racer(name: str, act: Callable[[SqlUnitOfWork, Payment], Payment]) -> None:
        try:
            outcomes[name] = c.db.write_sync(job(name, act))
        except DomainError as exc:
            outcomes[name] = f"refused {exc.code.value}"

    threads = [
        threading.Thread(target=racer, args=("approve", lambda u, p: approve_payment(u, c.clock, c.ids, p))),
        threading.Thread(target=racer, args=("expire", lambda u, p: advance(u, c.clock, c.ids, p, Operation.EXPIRE))),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert sorted(attempts.values()) == [1, 2]  # exactly one lost the race and ran again
    loser = min(attempts, key=lambda name: -attempts[name])
    assert outcomes[loser].startswith("refused")
    final = kasse.demo.get(ref).json()["state"]
    assert final == outcomes["approve" if loser == "expire" else "expire"]
    assert [e["name"] for e in kasse.demo.events(ref).json()] == ["CREATED", final]
