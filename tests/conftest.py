from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.harness import InProcessKasse, ServerProcess, in_process


@pytest.fixture
def kasse(tmp_path: Path) -> Iterator[InProcessKasse]:
    """A fresh in-process kasse on its own SQLite file, with the demo sales unit."""
    yield from in_process(tmp_path)


@pytest.fixture
def kasse_no_limits(tmp_path: Path) -> Iterator[InProcessKasse]:
    """Like `kasse`, with the per-reference rate limits off."""
    yield from in_process(tmp_path, rate_limits=False)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerProcess]:
    """A real `kasse serve` process on a free loopback port."""
    proc = ServerProcess(tmp_path / "kasse.db").start()
    try:
        yield proc
    finally:
        proc.stop()
