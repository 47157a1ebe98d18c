"""Identifiers from the buffered pool: psp references spelled as the standard library spells a UUID 4."""

from __future__ import annotations

import uuid

from kasse.adapters.ids import RandomIds


def test_a_psp_reference_is_the_version_4_uuid_of_the_next_16_bytes_of_the_pool() -> None:
    ids = RandomIds()
    for pool in (bytes(16), b"\xff" * 16, bytes(range(16)), bytes(range(240, 256))):
        ids._pool, ids._pos = pool, 0
        assert ids.psp_reference() == str(uuid.UUID(bytes=pool, version=4))


def test_psp_references_are_distinct_random_uuids() -> None:
    ids = RandomIds()
    drawn = {ids.psp_reference() for _ in range(5000)}  # more than one refill of the pool
    assert len(drawn) == 5000
    assert all(uuid.UUID(r).version == 4 and uuid.UUID(r).variant == uuid.RFC_4122 for r in drawn)


def test_tokens_are_43_url_safe_characters() -> None:
    token = RandomIds().token()
    assert len(token) == 43 and set(token) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
