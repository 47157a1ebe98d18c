"""kasse's pytest plugin (entry point `pytest11: kasse`): a kasse server and its controls as fixtures.

    def test_the_till_sells_a_coffee(kasse_client, kasse_clock, kasse_wallet, kasse_user): ...

One in-process kasse is shared by the session (each test gets its own sales unit and users, so tests do
not meet); mark a test `@pytest.mark.kasse_fresh` for a server of its own, or pass `--kasse-url URL` to
use a kasse already running. The clock is per server and only moves forwards, so a test that moves it on
the shared server moves it for the tests after it too; a clock a test froze is unfrozen when it ends.
Nothing heavy is imported until a `kasse_*` fixture is used.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from kasse.sdk import Client
    from kasse.testing.clock import RemoteClock
    from kasse.testing.faults import Faults
    from kasse.testing.merchants import Merchant
    from kasse.testing.server import KasseServer
    from kasse.testing.wallet import TestUser, Users, Wallet

FRESH = "kasse_fresh"


def pytest_addoption(parser: pytest.Parser) -> None:
    """Add `--kasse-url`."""
    parser.getgroup("kasse").addoption(
        "--kasse-url", default=None, metavar="URL",
        help="use the kasse running at URL (test mode) for the kasse_* fixtures instead of starting one")


def pytest_configure(config: pytest.Config) -> None:
    """Register the `kasse_fresh` marker (for --strict-markers)."""
    config.addinivalue_line("markers", f"{FRESH}: give this test a kasse server of its own")


def _started(database: Path) -> KasseServer:
    from kasse.testing.server import KasseServer

    return KasseServer.start(database)


@pytest.fixture(scope="session")
def kasse_session_server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
                         ) -> Iterator[KasseServer]:
    """The kasse this session's tests share: started in this process, or the one `--kasse-url` names."""
    from kasse.testing.server import KasseServer

    url = request.config.getoption("kasse_url")
    server = KasseServer.remote(url) if url else _started(tmp_path_factory.mktemp("kasse") / "kasse.db")
    yield server
    server.stop()


@pytest.fixture
def kasse_fresh_server(tmp_path: Path) -> Iterator[KasseServer]:
    """A kasse of this test's own: a new SQLite file, its own clock, on a free loopback port."""
    server = _started(tmp_path / "kasse.db")
    yield server
    server.stop()


@pytest.fixture
def kasse_server(request: pytest.FixtureRequest) -> KasseServer:
    """The kasse this test talks to: its own if marked `kasse_fresh`, else the session's. Its URL is `.url`."""
    name = "kasse_fresh_server" if request.node.get_closest_marker(FRESH) else "kasse_session_server"
    server: KasseServer = request.getfixturevalue(name)
    return server


@pytest.fixture
def kasse_merchant(kasse_server: KasseServer) -> Merchant:
    """A new sales unit (Norway, push and partial capture allowed) with its credentials."""
    from kasse.testing.merchants import new_merchant

    return new_merchant(kasse_server.control)


@pytest.fixture
def kasse_client(kasse_merchant: Merchant) -> Iterator[Client]:
    """A `kasse.sdk.Client` acting as `kasse_merchant`."""
    with kasse_merchant.client() as client:
        yield client


@pytest.fixture
def kasse_users(kasse_server: KasseServer) -> Users:
    """Makes wallet users with fresh phone numbers: `kasse_users.new(market="DK", birth_date="2012-01-01")`."""
    from kasse.testing.wallet import Users

    return Users(kasse_server.control)


@pytest.fixture
def kasse_user(kasse_users: Users) -> TestUser:
    """A new adult Norwegian wallet user; `.msisdn` is the phone number to push payments to."""
    return kasse_users.new()


@pytest.fixture
def kasse_wallet(kasse_server: KasseServer) -> Wallet:
    """The customers' wallet app: scan, approve, reject, behaviours."""
    from kasse.testing.wallet import Wallet

    return Wallet(kasse_server.control)


@pytest.fixture
def kasse_clock(kasse_server: KasseServer) -> Iterator[RemoteClock]:
    """kasse's clock: `advance("10m")`, `set(...)`, `freeze()`, `unfreeze()`, `now()`."""
    from kasse.adapters.control_plane import ControlPlaneError
    from kasse.testing.clock import RemoteClock

    clock = RemoteClock(kasse_server.control)
    yield clock
    if clock.froze:
        with contextlib.suppress(ControlPlaneError):
            clock.unfreeze()


@pytest.fixture
def kasse_faults(kasse_server: KasseServer, kasse_merchant: Merchant) -> Iterator[Faults]:
    """Faults for `kasse_merchant`: `arm("webhook.drop", times=1)`, `list()`, `disarm(...)`; all disarmed afterwards."""
    from kasse.testing.faults import Faults

    faults = Faults(kasse_server.control, kasse_merchant.msn)
    yield faults
    faults.disarm_armed()
