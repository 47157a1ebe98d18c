"""Secrets at rest: database files 0600, the signing secret out of the database, subscription keys hashed.

SQLite files only (a PostgreSQL server keeps its own files); the PostgreSQL run skips this module.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from kasse.adapters.jwt_tokens import JwtTokens
from kasse.adapters.sql.migrate import upgrade
from kasse.pos.store import SqlitePosStore
from tests.fakes import a_merchant
from tests.harness import TEST_DATABASE_URL, in_process

pytestmark = pytest.mark.skipif(TEST_DATABASE_URL is not None, reason="checks SQLite files")
OLD_SECRET = "the-secret-an-older-kasse-made-by-itself"


@pytest.fixture(autouse=True)
def _usual_umask() -> Iterator[None]:
    previous = os.umask(0o022)  # what most systems give a process: files 0644 unless kasse says otherwise
    yield
    os.umask(previous)


def mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


def test_every_database_file_and_secret_file_is_this_users_only(tmp_path: Path) -> None:
    for kasse in in_process(tmp_path):
        kasse.demo.create({"amount": {"currency": "NOK", "value": 100}, "paymentMethod": {"type": "WALLET"},
                           "reference": "modes-1", "userFlow": "QR"})
        pos = SqlitePosStore(tmp_path / "kasse-pos.db")
        pos.set_webhook_secret("whsec-for-the-till")
        files = sorted(p for p in tmp_path.iterdir() if p.is_file())
        modes = {p.name: mode(p) for p in files}
        pos.close()

    names = set(modes)
    assert {"kasse.db", "kasse.db-wal", "kasse.db-shm", "kasse-signing.key", "kasse-pos.db", "kasse-pos.db-wal",
            "kasse-pos.db-shm", "kasse-pos-webhook.secret"} <= names
    assert modes == dict.fromkeys(names, 0o600)


def test_a_database_made_world_readable_by_an_older_kasse_is_narrowed(tmp_path: Path) -> None:
    for _ in in_process(tmp_path):
        pass
    for name in ("kasse.db", "kasse-signing.key"):
        (tmp_path / name).chmod(0o644)

    for _ in in_process(tmp_path):
        pass

    assert (mode(tmp_path / "kasse.db"), mode(tmp_path / "kasse-signing.key")) == (0o600, 0o600)


def _settings_rows(database: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(database) as db:
        return db.execute("SELECT key, value FROM settings WHERE key = 'jwt_secret'").fetchall()


def test_the_signing_secret_leaves_the_database_and_old_tokens_stay_valid(tmp_path: Path) -> None:
    for _ in in_process(tmp_path):
        pass
    (tmp_path / "kasse-signing.key").unlink()  # what an older kasse left: the secret in the settings table
    with sqlite3.connect(tmp_path / "kasse.db") as db:
        db.execute("INSERT INTO settings (key, value) VALUES ('jwt_secret', ?)", (OLD_SECRET,))
    now = datetime.now(UTC)
    old_token = JwtTokens(OLD_SECRET).issue(a_merchant(), now).token

    for kasse in in_process(tmp_path):
        claims = kasse.container.tokens.verify(old_token, now)

    assert claims.msn == "123456"
    assert (tmp_path / "kasse-signing.key").read_text().strip() == OLD_SECRET
    assert _settings_rows(tmp_path / "kasse.db") == []


def test_kasse_signing_secret_from_the_environment_signs_and_no_file_is_made(tmp_path: Path) -> None:
    secret = "s" * 40
    now = datetime.now(UTC)

    for kasse in in_process(tmp_path, signing_secret=secret):
        claims = kasse.container.tokens.verify(JwtTokens(secret).issue(a_merchant(), now).token, now)

    assert claims.msn == "123456"
    assert not (tmp_path / "kasse-signing.key").exists()
    assert _settings_rows(tmp_path / "kasse.db") == []


def test_migration_0004_hashes_the_subscription_keys_already_stored(tmp_path: Path) -> None:
    database = tmp_path / "kasse.db"
    engine = sa.create_engine(f"sqlite:///{database}")
    upgrade(engine, "0003")
    with engine.begin() as conn:
        conn.execute(sa.text(
            "INSERT INTO merchants (msn, name, market, client_id, client_secret_hash, subscription_key_primary,"
            " subscription_key_secondary, push_allowed, partial_capture_allowed, long_living_allowed, created_at)"
            " VALUES ('222222', 'Kiosk', 'NO', 'kiosk', :secret, 'kiosk-key-1', 'kiosk-key-2', 1, 1, 1, 0)"),
            {"secret": hashlib.sha256(b"kiosk-secret").hexdigest()})
    engine.dispose()
    credentials = {"client_id": "kiosk", "client_secret": "kiosk-secret", "Ocp-Apim-Subscription-Key": "kiosk-key-2"}

    for kasse in in_process(tmp_path):
        token = kasse.client.post("/accesstoken/get", headers=credentials)

    with sqlite3.connect(database) as db:
        stored = db.execute("SELECT subscription_key_primary, subscription_key_secondary FROM merchants"
                            " WHERE msn = '222222'").fetchone()
    assert stored == tuple(hashlib.sha256(k.encode()).hexdigest() for k in ("kiosk-key-1", "kiosk-key-2"))
    assert token.status_code == 200
