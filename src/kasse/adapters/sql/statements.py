"""SQL column lists and INSERT statements generated from `tables.py`, so a column is named in one place.

A row tuple for `insert(table)` holds the table's columns in their declared order (minus `without`).
"""

from __future__ import annotations

import functools

from sqlalchemy import Table


@functools.cache
def columns(table: Table, without: tuple[str, ...] = ()) -> str:
    """Return "a, b, c": the table's columns in declared order, without the named ones."""
    return ", ".join(c.name for c in table.columns if c.name not in without)


@functools.cache
def insert(table: Table, without: tuple[str, ...] = ()) -> str:
    """Return `INSERT INTO t (a, b, c) VALUES (?,?,?)` for the table's columns, without the named ones."""
    names = [c.name for c in table.columns if c.name not in without]
    return f"INSERT INTO {table.name} ({', '.join(names)}) VALUES ({','.join('?' * len(names))})"
