from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.harness import TEST_DATABASE_URL, InProcessKasse, ServerProcess, drop_schemas, in_process
from tests.official_specs import skipped_for_a_spec, summary


@pytest.fixture(scope="session", autouse=True)
def _postgres_schemas() -> Iterator[None]:
    """With KASSE_TEST_DATABASE_URL, every store is a private schema there; drop them all at the end."""
    yield
    drop_schemas()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests marked `postgres` need a PostgreSQL server: skip them unless KASSE_TEST_DATABASE_URL names one."""
    if TEST_DATABASE_URL is None:
        skip = pytest.mark.skip(reason="KASSE_TEST_DATABASE_URL is not set")
        for item in items:
            if item.get_closest_marker("postgres") is not None:
                item.add_marker(skip)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> Iterator[None]:
    """A clone without ../shared skips the official-spec checks: say so, in one line, where it is seen.

    Outermost (a first wrapper), so the line follows the short test summary that `-ra` fills with every skip
    and sits just above the counts: the last lines of a run, all that make test shows of its PostgreSQL run.
    """
    yield
    count = sum(1 for report in terminalreporter.stats.get("skipped", [])
                if isinstance(report.longrepr, tuple) and skipped_for_a_spec(str(report.longrepr[2])))
    if count:
        terminalreporter.write_line(summary(count), yellow=True, bold=True)


def pytest_report_header() -> str:
    return f"kasse store: {'PostgreSQL ' + TEST_DATABASE_URL if TEST_DATABASE_URL else 'SQLite files'}"


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
