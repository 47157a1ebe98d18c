"""The POS database keeps the captures and refunds the POS made; a file from before that is upgraded in place."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from kasse.pos.movement import Movement, MovementKind
from kasse.pos.store import UPGRADES, SqlitePosStore

# the POS database as kasse wrote it before it recorded movements (PRAGMA user_version 0)
VERSION_0 = """
CREATE TABLE products (id TEXT PRIMARY KEY, name TEXT NOT NULL, price INTEGER NOT NULL,
    vat_rate INTEGER NOT NULL, position INTEGER NOT NULL);
CREATE TABLE carts (terminal TEXT PRIMARY KEY, quantities TEXT NOT NULL);
CREATE TABLE sales (reference TEXT PRIMARY KEY, terminal TEXT NOT NULL, receipt_number INTEGER NOT NULL,
    method TEXT NOT NULL, total INTEGER NOT NULL, currency TEXT NOT NULL, lines TEXT NOT NULL, status TEXT NOT NULL,
    message TEXT NOT NULL, customer TEXT NOT NULL, qr_url TEXT, captured INTEGER NOT NULL, refunded INTEGER NOT NULL,
    created_at REAL NOT NULL, next_poll_at REAL, reserved INTEGER NOT NULL DEFAULT 0,
    awaiting_choice INTEGER NOT NULL DEFAULT 0);
CREATE INDEX sales_due ON sales (next_poll_at) WHERE next_poll_at IS NOT NULL;
CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
INSERT INTO products VALUES ('espresso', 'Espresso', 3900, 1500, 0);
INSERT INTO sales VALUES ('pos-paid', 'till-1', 1, 'qr', 3900, 'NOK', '[]', 'paid', 'Paid', '', NULL, 3900, 1000,
    1.0, NULL, 0, 0);
INSERT INTO sales VALUES ('pos-failed', 'till-1', 2, 'phone', 3900, 'NOK', '[]', 'failed', 'No', '', NULL, 0, 0,
    2.0, NULL, 0, 0);
"""


def old_file(path: Path) -> Path:
    db = sqlite3.connect(path)
    db.executescript(VERSION_0)
    db.close()
    return path


def test_a_database_from_before_gets_the_movements_of_its_paid_sales_to_confirm(tmp_path: Path) -> None:
    store = SqlitePosStore(old_file(tmp_path / "pos.db"))

    found = store.unconfirmed_movements()

    assert store.version == len(UPGRADES)
    assert [(m.idempotency_key, m.kind, m.amount) for m in found] == [
        ("capture-pos-paid", MovementKind.CAPTURE, 3900), ("refund-pos-paid-*", MovementKind.REFUND, 1000)]
    assert store.sale("pos-paid") is not None and [p.id for p in store.products()] == ["espresso"]


def test_opening_an_upgraded_file_again_changes_nothing(tmp_path: Path) -> None:
    path = old_file(tmp_path / "pos.db")
    SqlitePosStore(path).close()

    store = SqlitePosStore(path)

    assert store.version == len(UPGRADES)
    assert len(store.unconfirmed_movements()) == 2


def test_a_new_database_starts_at_the_latest_version_with_no_movements(tmp_path: Path) -> None:
    store = SqlitePosStore(tmp_path / "pos.db")

    assert (store.version, store.unconfirmed_movements()) == (len(UPGRADES), [])


def test_a_movement_about_to_be_made_never_overwrites_one_already_confirmed(tmp_path: Path) -> None:
    store = SqlitePosStore(tmp_path / "pos.db")
    intent = Movement(idempotency_key="capture-a", reference="a", kind=MovementKind.CAPTURE, amount=100)
    confirmed = Movement(idempotency_key="capture-a", reference="a", kind=MovementKind.CAPTURE, amount=100,
                         psp_reference="psp-1", at=50.0)
    store.add_movement(intent)
    store.replace_movements(["capture-a"], [confirmed])

    store.add_movement(intent)

    assert store.movements("a") == [confirmed]
    assert store.movements_between(50.0, 51.0) == [confirmed] and store.movements_between(0.0, 50.0) == []
    assert store.latest_movement_at() == 50.0
