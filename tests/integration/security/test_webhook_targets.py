"""Webhook SSRF (issue #12 item 5): production refuses inside targets at registration and again where it connects.

Every spelling from the issue is refused with the Webhooks API's 400 naming `url`; the sender refuses the same
hosts without opening a connection, and a name that resolves inside at send time (DNS rebinding) is refused
after resolving. An operator's allowed network passes; test mode keeps loopback.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from aiohttp.abc import AbstractResolver, ResolveResult

from kasse.adapters.clock import SystemClock
from kasse.adapters.webhook_sender import AiohttpWebhookSender
from kasse.domain.webhook_delivery import DeliveryJob
from kasse.domain.webhook_target import TargetPolicy, parse_networks
from kasse.services.merchants import MerchantSpec, create_merchant
from tests.harness import ApiSession, Credentials, InProcessKasse, assert_problem, in_process

CREATED = "epayments.payment.created.v1"
# the spellings, and their cousins
REFUSED = [
    "https://169.254.169.254/latest/meta-data/",
    "https://127.0.0.1:8080/admin",
    "https://[::1]:8080/",
    "https://10.0.0.1/",
    "https://2130706433/",
    "https://0x7f000001:8080/",
    "https://localhost/",
    "https://localhost./",
    "https://LocalHost/",
    "https://127.0.0.1./",
    "https://0177.0.0.1/",
    "https://127.1/",
    "https://[::ffff:127.0.0.1]/",
    "https://[::ffff:a9fe:a9fe]/",
    "https://[fe80::1%25eth0]/",
    "https://192.168.1.20/",
    "https://100.64.0.1/",
    "https://0.0.0.0/",
    "https://224.0.0.1/",
    "https://[ff02::1]/",
]


def _session(k: InProcessKasse) -> ApiSession:
    """A sales unit made the way an operator would (production seeds none)."""
    made = k.container.db.write_sync(lambda uow: create_merchant(uow, k.container.clock, k.container.ids,
                                                                 MerchantSpec(name="ssrf test")))
    m = made.merchant
    return k.session(Credentials(m.msn, m.client_id, made.client_secret, made.subscription_keys[0]))


@pytest.fixture(scope="module")
def production(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ApiSession]:
    for k in in_process(tmp_path_factory.mktemp("ssrf"), production=True, rate_limits=False):
        yield _session(k)


@pytest.fixture
def lan(tmp_path: Path) -> Iterator[ApiSession]:
    for k in in_process(tmp_path, production=True, webhook_allow_networks=parse_networks("192.168.1.0/24")):
        yield _session(k)


def _register(session: ApiSession, url: str) -> int:
    r = session.client.post("/webhooks/v1/webhooks", json={"url": url, "events": [CREATED]}, headers=session.headers())
    if r.status_code == 400:
        problem = assert_problem(r, 400)
        assert [e["name"] for e in problem["extraDetails"]] == ["url"], problem
    return r.status_code


@pytest.mark.parametrize("url", REFUSED)
def test_production_refuses_every_spelling_of_an_inside_target_at_registration(production: ApiSession,
                                                                               url: str) -> None:
    assert _register(production, url) == 400


def test_production_registers_public_hosts(production: ApiSession) -> None:
    assert _register(production, "https://pos.example.com/hooks") == 201


def test_an_allowed_lan_range_is_accepted_in_production(lan: ApiSession) -> None:
    assert _register(lan, "https://192.168.1.20/hooks") == 201
    assert _register(lan, "https://192.168.2.20/hooks") == 400


# ---------------------------------------------------------------- where the sender connects


@asynccontextmanager
async def listener() -> AsyncIterator[tuple[int, list[str]]]:
    """A loopback HTTP receiver on 127.0.0.1 and ::1 that answers 200 and notes every connection."""
    connections: list[str] = []

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connections.append(str(writer.get_extra_info("peername")[0]))
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(answer, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with server, await asyncio.start_server(answer, "::1", port):
        yield port, connections


class FakeResolver(AbstractResolver):
    """Answers one name with one address, as a rebinding DNS server would at send time."""

    def __init__(self, name: str, address: str) -> None:
        self.name, self.address = name, address

    async def resolve(self, host: str, port: int = 0,
                      family: socket.AddressFamily = socket.AF_INET) -> list[ResolveResult]:
        assert host == self.name
        return [ResolveResult(hostname=host, host=self.address, port=port, family=socket.AF_INET, proto=0,
                              flags=socket.AI_NUMERICHOST)]

    async def close(self) -> None:
        return None


def _job(url: str) -> DeliveryJob:
    return DeliveryJob(1, "claim", url, "secret", b"{}", 1, "123456", "ref-1")


async def _send(url_of: str, policy: TargetPolicy, resolver: AbstractResolver | None = None
                ) -> tuple[str | None, int | None, list[str]]:
    async with listener() as (port, connections):
        sender = AiohttpWebhookSender(SystemClock(), targets=policy, resolver=resolver, timeout=5)
        try:
            result = await sender.send(_job(url_of.format(port=port)), SystemClock().now())
        finally:
            await sender.aclose()
    return result.error, result.response_code, connections


@pytest.mark.parametrize("url", ["http://127.0.0.1:{port}/", "http://2130706433:{port}/", "http://0x7f000001:{port}/",
                                 "http://[::1]:{port}/", "http://localhost:{port}/", "http://localhost.:{port}/",
                                 "http://127.1:{port}/", "http://0177.0.0.1:{port}/", "http://[::ffff:127.0.0.1]:{port}/",
                                 "http://%31%32%37.0.0.1:{port}/"])
def test_the_sender_refuses_every_spelling_without_connecting(url: str) -> None:
    error, code, connections = asyncio.run(_send(url, TargetPolicy()))

    assert error is not None and error.startswith("refused"), error
    assert (code, connections) == (None, [])


def test_a_name_that_resolves_inside_at_send_time_is_refused() -> None:
    error, code, connections = asyncio.run(_send("http://rebind.example:{port}/", TargetPolicy(),
                                                 FakeResolver("rebind.example", "127.0.0.1")))

    assert error is not None and "rebind.example resolves inside: 127.0.0.1 is a loopback address" in error
    assert (code, connections) == (None, [])


def test_an_allowed_network_is_connected_to_at_the_address_that_was_checked() -> None:
    allowed = TargetPolicy(parse_networks("127.0.0.0/8"))

    error, code, connections = asyncio.run(_send("http://hooks.example:{port}/", allowed,
                                                 FakeResolver("hooks.example", "127.0.0.1")))

    assert (error, code, connections) == (None, 200, ["127.0.0.1"])


def test_test_mode_sends_to_loopback() -> None:
    async def send() -> tuple[str | None, int | None, list[str]]:
        async with listener() as (port, connections):
            sender = AiohttpWebhookSender(SystemClock(), timeout=5)
            try:
                result = await sender.send(_job(f"http://localhost:{port}/"), SystemClock().now())
            finally:
                await sender.aclose()
        return result.error, result.response_code, connections

    error, code, connections = asyncio.run(send())

    assert (error, code) == (None, 200)
    assert len(connections) == 1
