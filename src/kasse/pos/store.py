"""The POS's own records in a small SQLite file of its own: catalogue, carts, sales, staff and their sessions.

The POS is the merchant's system, not the platform's, so it keeps nothing in the platform's database: the
same POS runs against kasse or the real Vipps MobilePay hosts. Sales survive a restart (WAL, FULL sync).
The file is this user's only (0600); the webhook secret is kept in a 0600 file of its own beside it, so a
copy of the sales (a backup, a file for the accountant) carries no key that could forge a webhook.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, fields
from pathlib import Path
from typing import Any

from kasse.adapters.private_files import delete_secret, make_private_database, read_secret, write_secret
from kasse.pos.cart import SEED_CATALOGUE, Product
from kasse.pos.movement import LEGACY_REFUNDS, Movement, MovementKind
from kasse.pos.sale import Sale, SaleStatus

SCHEMA = """
CREATE TABLE IF NOT EXISTS products (id TEXT PRIMARY KEY, name TEXT NOT NULL, price INTEGER NOT NULL,
    vat_rate INTEGER NOT NULL, position INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS carts (terminal TEXT PRIMARY KEY, quantities TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sales (reference TEXT PRIMARY KEY, terminal TEXT NOT NULL, receipt_number INTEGER NOT NULL,
    method TEXT NOT NULL, total INTEGER NOT NULL, currency TEXT NOT NULL, lines TEXT NOT NULL, status TEXT NOT NULL,
    message TEXT NOT NULL, customer TEXT NOT NULL, qr_url TEXT, captured INTEGER NOT NULL, refunded INTEGER NOT NULL,
    created_at REAL NOT NULL, next_poll_at REAL, reserved INTEGER NOT NULL DEFAULT 0,
    awaiting_choice INTEGER NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS sales_due ON sales (next_poll_at) WHERE next_poll_at IS NOT NULL;
CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""
# upgrades of an existing file, by PRAGMA user_version: entry n takes a version-n file to version n + 1
UPGRADES = (
    # 0 → 1: the captures and refunds the POS made, with their pspReferences (for the end of day); the sales
    # made before get rows to confirm from the event log, a sale's refunds as one `refund-<reference>-*` row
    f"""
    CREATE TABLE movements (idempotency_key TEXT PRIMARY KEY, reference TEXT NOT NULL, kind TEXT NOT NULL,
        amount INTEGER NOT NULL, psp_reference TEXT, at REAL, noted_at REAL NOT NULL DEFAULT 0);
    CREATE INDEX movements_at ON movements (at);
    CREATE INDEX movements_reference ON movements (reference);
    INSERT INTO movements (idempotency_key, reference, kind, amount)
        SELECT 'capture-' || reference, reference, 'capture', captured FROM sales WHERE captured > 0;
    INSERT INTO movements (idempotency_key, reference, kind, amount)
        SELECT 'refund-' || reference || '-{LEGACY_REFUNDS}', reference, 'refund', refunded FROM sales
        WHERE refunded > 0;
    """,
    # 1 → 2: staff accounts (argon2 hashes of their PINs or passwords) and their sign-in sessions (token hashes)
    """
    CREATE TABLE staff (name TEXT PRIMARY KEY COLLATE NOCASE, role TEXT NOT NULL, secret_hash TEXT NOT NULL,
        created_at REAL NOT NULL, failures INTEGER NOT NULL DEFAULT 0, locked_until REAL NOT NULL DEFAULT 0);
    CREATE TABLE staff_sessions (token_hash TEXT PRIMARY KEY, name TEXT NOT NULL COLLATE NOCASE,
        created_at REAL NOT NULL, expires_at REAL NOT NULL);
    """,
)
WEBHOOK_SECRET_FILE = "-webhook.secret"
SALE_COLUMNS = tuple(f.name for f in fields(Sale))


def _sale(row: sqlite3.Row) -> Sale:
    data: dict[str, Any] = dict(row)
    data["lines"] = json.loads(data["lines"])
    data["status"] = SaleStatus(data["status"])
    data["awaiting_choice"] = bool(data["awaiting_choice"])
    return Sale(**data)


def _movement(row: sqlite3.Row) -> Movement:
    return Movement(idempotency_key=row["idempotency_key"], reference=row["reference"], kind=MovementKind(row["kind"]),
                    amount=row["amount"], psp_reference=row["psp_reference"], at=row["at"], noted_at=row["noted_at"])


def _movement_row(m: Movement) -> tuple[object, ...]:
    return m.idempotency_key, m.reference, m.kind.value, m.amount, m.psp_reference, m.at, m.noted_at


class SqlitePosStore:
    """Thread-safe access to the POS database; every method is one short transaction."""

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        self._secret_file: Path | None = None
        self._secret_in_memory: str | None = None
        if self.path != ":memory:":
            make_private_database(self.path)
            self._secret_file = Path(self.path).with_name(Path(self.path).stem + WEBHOOK_SECRET_FILE)
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        self._lock = threading.Lock()
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(SCHEMA)
        self._upgrade()
        with self._tx() as db:
            if db.execute("SELECT count(*) FROM products").fetchone()[0] == 0:
                for position, p in enumerate(SEED_CATALOGUE):
                    db.execute("INSERT INTO products VALUES (?, ?, ?, ?, ?)", (p.id, p.name, p.price, p.vat_rate,
                                                                             position))
        self._move_webhook_secret_out()

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def _upgrade(self) -> None:
        """Bring a file of an older version up to date, each step in one transaction with its version bump."""
        with self._tx() as db:
            version = db.execute("PRAGMA user_version").fetchone()[0]
            for number, script in enumerate(UPGRADES[version:], start=version):
                for statement in filter(str.strip, script.split(";")):
                    db.execute(statement)
                db.execute(f"PRAGMA user_version = {number + 1}")

    @property
    def version(self) -> int:
        with self._tx() as db:
            return int(db.execute("PRAGMA user_version").fetchone()[0])

    def transaction(self) -> contextlib.AbstractContextManager[sqlite3.Connection]:
        """One transaction on this store's connection, for the queries of `pos.staff_store`."""
        return self._tx()

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # catalogue ----------------------------------------------------------------------------------------------
    def products(self) -> list[Product]:
        with self._tx() as db:
            rows = db.execute("SELECT id, name, price, vat_rate FROM products ORDER BY position, id").fetchall()
        return [Product(r["id"], r["name"], r["price"], r["vat_rate"]) for r in rows]

    def save_product(self, product: Product) -> None:
        with self._tx() as db:
            position = db.execute("SELECT coalesce(max(position), 0) + 1 FROM products").fetchone()[0]
            db.execute("INSERT INTO products VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET "
                       "name = excluded.name, price = excluded.price, vat_rate = excluded.vat_rate",
                       (product.id, product.name, product.price, product.vat_rate, position))

    def delete_product(self, product_id: str) -> None:
        with self._tx() as db:
            db.execute("DELETE FROM products WHERE id = ?", (product_id,))

    # carts ----------------------------------------------------------------------------------------------------
    def cart(self, terminal: str) -> dict[str, int]:
        with self._tx() as db:
            row = db.execute("SELECT quantities FROM carts WHERE terminal = ?", (terminal,)).fetchone()
        return dict(json.loads(row[0])) if row else {}

    def save_cart(self, terminal: str, quantities: Mapping[str, int]) -> None:
        with self._tx() as db:
            db.execute("INSERT INTO carts VALUES (?, ?) ON CONFLICT (terminal) DO UPDATE SET quantities = "
                       "excluded.quantities", (terminal, json.dumps(dict(quantities))))

    # sales ----------------------------------------------------------------------------------------------------
    def next_receipt_number(self) -> int:
        with self._tx() as db:
            row = db.execute("SELECT value FROM settings WHERE key = 'receipt_number'").fetchone()
            number = int(row[0]) + 1 if row else 1
            db.execute("INSERT INTO settings VALUES ('receipt_number', ?) ON CONFLICT (key) DO UPDATE SET "
                       "value = excluded.value", (str(number),))
        return number

    def put_sale(self, sale: Sale) -> None:
        data = asdict(sale)
        data["lines"] = json.dumps(data["lines"])
        data["status"] = sale.status.value
        marks = ", ".join("?" for _ in SALE_COLUMNS)
        with self._tx() as db:
            db.execute(f"INSERT OR REPLACE INTO sales ({', '.join(SALE_COLUMNS)}) VALUES ({marks})",
                       tuple(data[c] for c in SALE_COLUMNS))

    def sale(self, reference: str) -> Sale | None:
        with self._tx() as db:
            row = db.execute("SELECT * FROM sales WHERE reference = ?", (reference,)).fetchone()
        return _sale(row) if row else None

    def sales(self, limit: int = 200) -> list[Sale]:
        with self._tx() as db:
            rows = db.execute("SELECT * FROM sales ORDER BY created_at DESC, receipt_number DESC LIMIT ?",
                              (limit,)).fetchall()
        return [_sale(r) for r in rows]

    def latest_sale(self, terminal: str) -> Sale | None:
        with self._tx() as db:
            row = db.execute("SELECT * FROM sales WHERE terminal = ? ORDER BY created_at DESC, receipt_number DESC"
                             " LIMIT 1", (terminal,)).fetchone()
        return _sale(row) if row else None

    def pending(self) -> list[Sale]:
        with self._tx() as db:
            rows = db.execute("SELECT * FROM sales WHERE status = ?", (SaleStatus.PENDING.value,)).fetchall()
        return [_sale(r) for r in rows]

    def due(self, now: float) -> list[str]:
        with self._tx() as db:
            rows = db.execute("SELECT reference FROM sales WHERE next_poll_at <= ? ORDER BY next_poll_at",
                              (now,)).fetchall()
        return [r[0] for r in rows]

    def next_due(self) -> float | None:
        with self._tx() as db:
            value = db.execute("SELECT min(next_poll_at) FROM sales WHERE next_poll_at IS NOT NULL").fetchone()[0]
        return float(value) if value is not None else None

    def reschedule(self, reference: str, at: float | None) -> None:
        with self._tx() as db:
            db.execute("UPDATE sales SET next_poll_at = ? WHERE reference = ?", (at, reference))

    # captures and refunds the POS made ---------------------------------------------------------------------
    def add_movement(self, movement: Movement) -> None:
        """Write a movement about to be made, unless one with its idempotency key is known already."""
        with self._tx() as db:
            db.execute("INSERT OR IGNORE INTO movements VALUES (?, ?, ?, ?, ?, ?, ?)", _movement_row(movement))

    def replace_movements(self, removed: list[str], added: list[Movement]) -> None:
        """Drop the unconfirmed movements with the `removed` keys and write `added`, in one transaction.

        A confirmed movement is never dropped: a confirmation that read the event log before it was confirmed
        elsewhere cannot undo that.
        """
        with self._tx() as db:
            db.executemany("DELETE FROM movements WHERE idempotency_key = ? AND psp_reference IS NULL",
                           [(key,) for key in removed])
            db.executemany("INSERT OR REPLACE INTO movements VALUES (?, ?, ?, ?, ?, ?, ?)",
                           [_movement_row(m) for m in added])

    def movements(self, reference: str) -> list[Movement]:
        with self._tx() as db:
            rows = db.execute("SELECT * FROM movements WHERE reference = ? ORDER BY at, rowid",
                              (reference,)).fetchall()
        return [_movement(r) for r in rows]

    def unconfirmed_movements(self) -> list[Movement]:
        with self._tx() as db:
            rows = db.execute("SELECT * FROM movements WHERE psp_reference IS NULL OR at IS NULL "
                              "ORDER BY reference, rowid").fetchall()
        return [_movement(r) for r in rows]

    def movements_between(self, start: float, end: float) -> list[Movement]:
        """The confirmed movements with `start <= at < end`, oldest first."""
        with self._tx() as db:
            rows = db.execute("SELECT * FROM movements WHERE at >= ? AND at < ? AND psp_reference IS NOT NULL "
                              "ORDER BY at, rowid", (start, end)).fetchall()
        return [_movement(r) for r in rows]

    def latest_movement_at(self) -> float | None:
        with self._tx() as db:
            value = db.execute("SELECT max(at) FROM movements").fetchone()[0]
        return float(value) if value is not None else None

    # settings -------------------------------------------------------------------------------------------------
    def setting(self, key: str) -> str | None:
        with self._tx() as db:
            row = db.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        return str(row[0]) if row else None

    def set_setting(self, key: str, value: str) -> None:
        with self._tx() as db:
            db.execute("INSERT INTO settings VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                       (key, value))

    # the webhook secret -----------------------------------------------------------------------------------------
    def webhook_secret(self) -> str | None:
        return self._secret_in_memory if self._secret_file is None else read_secret(self._secret_file)

    def set_webhook_secret(self, secret: str | None) -> None:
        if self._secret_file is None:
            self._secret_in_memory = secret
        elif secret is None:
            delete_secret(self._secret_file)
        else:
            write_secret(self._secret_file, secret)

    def _move_webhook_secret_out(self) -> None:
        """An older kasse kept the secret in the settings table: move it to its file (a running POS keeps verifying)."""
        stored = self.setting("webhook_secret")
        if stored is None:
            return
        if self.webhook_secret() is None:
            self.set_webhook_secret(stored)
        with self._tx() as db:
            db.execute("DELETE FROM settings WHERE key = 'webhook_secret'")
