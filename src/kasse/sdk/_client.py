"""`Client` and `AsyncClient`: one sales unit's credentials, one reused HTTP connection pool, five APIs.

`for_accounting_partner` builds either with an accounting partner's keys instead: the Report API only.

Both have the same surface; `AsyncClient`'s methods are awaited. A client is safe to share between
threads (`Client`) or tasks (`AsyncClient`); the access token is fetched once and shared.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from types import TracebackType

import httpx

from kasse.sdk._config import Environment, make_config
from kasse.sdk._core import AsyncCore, SyncCore, system_clock
from kasse.sdk._payments import AsyncPayments, Payments
from kasse.sdk._qr import AsyncQr, Qr
from kasse.sdk._receipts import AsyncReceipts, Receipts
from kasse.sdk._reports import AsyncReports, Reports
from kasse.sdk._retry import RetryPolicy
from kasse.sdk._webhooks import AsyncWebhooks, Webhooks

DEFAULT_TIMEOUT = 30.0
DEFAULT_RETRY = RetryPolicy()


class Client:
    """A synchronous client for the ePayment, Webhooks, QR and Order Management APIs.

    Pass `base_url` for a kasse server, or `environment="test"` / `"production"` for the official hosts.
    `transport` replaces the network (e.g. `httpx.MockTransport` in tests); `sleep`, `rng` and `clock`
    replace waiting, jitter and the wall clock.

    Example:
        >>> with Client(client_id="kasse-demo-client", client_secret="kasse-demo-secret",
        ...             subscription_key="kasse-demo-subscription-key", merchant_serial_number="123456",
        ...             base_url="http://127.0.0.1:8000") as client:
        ...     payment = client.payments.get("order-1001")
    """

    def __init__(
        self,
        *,
        client_id: str,
        client_secret: str,
        subscription_key: str,
        merchant_serial_number: str,
        base_url: str | None = None,
        environment: Environment = "test",
        system_name: str | None = None,
        system_version: str | None = None,
        plugin_name: str | None = None,
        plugin_version: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        retry: RetryPolicy = DEFAULT_RETRY,
        token_refresh_margin: float = 60.0,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        rng: Callable[[], float] | None = None,
        clock: Callable[[], float] = system_clock,
    ) -> None:
        config = make_config(
            client_id=client_id, client_secret=client_secret, subscription_key=subscription_key,
            merchant_serial_number=merchant_serial_number, base_url=base_url, environment=environment,
            system_name=system_name, system_version=system_version, plugin_name=plugin_name,
            plugin_version=plugin_version, timeout=timeout, retry=retry, token_refresh_margin=token_refresh_margin,
        )
        self._start(SyncCore(config, transport=transport, sleep=sleep, rng=rng, clock=clock))

    def _start(self, core: SyncCore) -> None:
        self._core = core
        self.payments = Payments(core)
        self.webhooks = Webhooks(core)
        self.qr = Qr(core)
        self.receipts = Receipts(core)
        self.reports = Reports(core)

    @classmethod
    def for_accounting_partner(
        cls,
        *,
        client_id: str,
        client_secret: str,
        base_url: str | None = None,
        environment: Environment = "production",
        system_name: str | None = None,
        system_version: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        retry: RetryPolicy = DEFAULT_RETRY,
        token_refresh_margin: float = 60.0,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        rng: Callable[[], float] | None = None,
        clock: Callable[[], float] = system_clock,
    ) -> Client:
        """Return a client with an accounting partner's keys: it reads `client.reports` and nothing else.

        Its token comes from `POST /miami/v1/token` (Basic client credentials, no subscription key, 15
        minutes); it sees the ledgers merchants granted to the partner. Any other call raises
        `PermissionDeniedError` without being sent. The Report API is production only, hence the default
        environment; pass `base_url` for a kasse server.

        Example:
            >>> with Client.for_accounting_partner(client_id="acct-...", client_secret="...",
            ...                                    base_url="http://127.0.0.1:8000") as client:
            ...     ledgers = client.reports.ledgers()
        """
        config = make_config(
            client_id=client_id, client_secret=client_secret, subscription_key="", merchant_serial_number="",
            base_url=base_url, environment=environment, system_name=system_name, system_version=system_version,
            plugin_name=None, plugin_version=None, timeout=timeout, retry=retry,
            token_refresh_margin=token_refresh_margin, partner=True,
        )
        client = cls.__new__(cls)
        client._start(SyncCore(config, transport=transport, sleep=sleep, rng=rng, clock=clock))
        return client

    @property
    def base_url(self) -> str:
        """The server this client talks to, e.g. `https://apitest.vipps.no`."""
        return self._core.config.base_url

    def close(self) -> None:
        """Close the connection pool; the client cannot be used afterwards."""
        self._core.http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


class AsyncClient:
    """An asyncio client with the surface of `Client`; every API method is awaited.

    Example:
        >>> async with AsyncClient(client_id=..., client_secret=..., subscription_key=...,
        ...                        merchant_serial_number="123456", environment="test") as client:
        ...     payment = await client.payments.get("order-1001")
    """

    def __init__(
        self,
        *,
        client_id: str,
        client_secret: str,
        subscription_key: str,
        merchant_serial_number: str,
        base_url: str | None = None,
        environment: Environment = "test",
        system_name: str | None = None,
        system_version: str | None = None,
        plugin_name: str | None = None,
        plugin_version: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        retry: RetryPolicy = DEFAULT_RETRY,
        token_refresh_margin: float = 60.0,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Callable[[float], Awaitable[None]] | None = None,
        rng: Callable[[], float] | None = None,
        clock: Callable[[], float] = system_clock,
    ) -> None:
        config = make_config(
            client_id=client_id, client_secret=client_secret, subscription_key=subscription_key,
            merchant_serial_number=merchant_serial_number, base_url=base_url, environment=environment,
            system_name=system_name, system_version=system_version, plugin_name=plugin_name,
            plugin_version=plugin_version, timeout=timeout, retry=retry, token_refresh_margin=token_refresh_margin,
        )
        self._start(AsyncCore(config, transport=transport, sleep=sleep, rng=rng, clock=clock))

    def _start(self, core: AsyncCore) -> None:
        self._core = core
        self.payments = AsyncPayments(core)
        self.webhooks = AsyncWebhooks(core)
        self.qr = AsyncQr(core)
        self.receipts = AsyncReceipts(core)
        self.reports = AsyncReports(core)

    @classmethod
    def for_accounting_partner(
        cls,
        *,
        client_id: str,
        client_secret: str,
        base_url: str | None = None,
        environment: Environment = "production",
        system_name: str | None = None,
        system_version: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        retry: RetryPolicy = DEFAULT_RETRY,
        token_refresh_margin: float = 60.0,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Callable[[float], Awaitable[None]] | None = None,
        rng: Callable[[], float] | None = None,
        clock: Callable[[], float] = system_clock,
    ) -> AsyncClient:
        """Return an async client with an accounting partner's keys (see `Client.for_accounting_partner`).

        Example:
            >>> async with AsyncClient.for_accounting_partner(client_id="acct-...", client_secret="...",
            ...                                               base_url="http://127.0.0.1:8000") as client:
            ...     ledgers = await client.reports.ledgers()
        """
        config = make_config(
            client_id=client_id, client_secret=client_secret, subscription_key="", merchant_serial_number="",
            base_url=base_url, environment=environment, system_name=system_name, system_version=system_version,
            plugin_name=None, plugin_version=None, timeout=timeout, retry=retry,
            token_refresh_margin=token_refresh_margin, partner=True,
        )
        client = cls.__new__(cls)
        client._start(AsyncCore(config, transport=transport, sleep=sleep, rng=rng, clock=clock))
        return client

    @property
    def base_url(self) -> str:
        """The server this client talks to."""
        return self._core.config.base_url

    async def aclose(self) -> None:
        """Close the connection pool; the client cannot be used afterwards."""
        await self._core.http.aclose()

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        await self.aclose()
