"""What the in-memory repositories raise where the SQL store's constraints would refuse a write."""

from __future__ import annotations


class DuplicateKeyError(KeyError):
    """A row with this key exists already (the SQL store's unique constraint)."""


class ConcurrentUpdateError(RuntimeError):
    """The stored version is not the one below the update's (the SQL store's optimistic lock)."""


class DuplicatePositionError(KeyError):
    """The position is taken on that topic (the SQL store's primary key)."""
