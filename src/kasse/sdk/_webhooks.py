"""`client.webhooks`: register, list and delete webhook registrations (contract §8.1).

The secret of a registration is shown once, in `register`'s answer; keep it to check deliveries with
`verify_webhook`. Registering is not idempotent, so it is resent only when it never left.
"""

from __future__ import annotations

from collections.abc import Sequence

from kasse.sdk._call import Call, model, new_idempotency_key, nothing, segment
from kasse.sdk._core import AsyncCore, SyncCore
from kasse.sdk._webhook_models import RegisteredWebhook, Webhook, WebhookEventType, WebhookList

WEBHOOKS = "/webhooks/v1/webhooks"


def _register(url: str, events: Sequence[str]) -> Call[RegisteredWebhook]:
    payload = {"url": url, "events": [str(e) for e in events]}
    return Call("POST", WEBHOOKS, model(RegisteredWebhook), body=payload, idempotency_key=new_idempotency_key())


def _list() -> Call[WebhookList]:
    return Call("GET", WEBHOOKS, model(WebhookList), replayable=True)


def _delete(webhook_id: str) -> Call[None]:
    return Call("DELETE", f"{WEBHOOKS}/{segment(webhook_id)}", nothing, idempotency_key=new_idempotency_key(),
                replayable=True)


class Webhooks:
    """Webhook registrations of a `Client`; reach them as `client.webhooks`."""

    def __init__(self, core: SyncCore) -> None:
        self._core = core

    def register(self, url: str, events: Sequence[WebhookEventType | str]) -> RegisteredWebhook:
        """Register `url` for `events`; store the returned secret, it is never shown again.

        Example:
            >>> hook = client.webhooks.register("https://pos.example.com/hooks",
            ...                                 [WebhookEventType.PAYMENT_AUTHORIZED])
            >>> hook.secret
            '...'
        """
        return self._core.run(_register(url, events))

    def list(self) -> tuple[Webhook, ...]:
        """Return the sales unit's registrations.

        Example:
            >>> [w.url for w in client.webhooks.list()]
            ['https://pos.example.com/hooks']
        """
        return tuple(self._core.run(_list()).webhooks)

    def delete(self, webhook_id: str) -> None:
        """Delete a registration; its deliveries stop.

        Example:
            >>> client.webhooks.delete(hook.id)
        """
        self._core.run(_delete(webhook_id))


class AsyncWebhooks:
    """Webhook registrations of an `AsyncClient`; the same methods as `Webhooks`, awaited."""

    def __init__(self, core: AsyncCore) -> None:
        self._core = core

    async def register(self, url: str, events: Sequence[WebhookEventType | str]) -> RegisteredWebhook:
        """Register `url` for `events`; store the returned secret, it is never shown again.

        Example:
            >>> hook = await client.webhooks.register(url, [WebhookEventType.PAYMENT_AUTHORIZED])
        """
        return await self._core.run(_register(url, events))

    async def list(self) -> tuple[Webhook, ...]:
        """Return the sales unit's registrations.

        Example:
            >>> hooks = await client.webhooks.list()
        """
        return tuple((await self._core.run(_list())).webhooks)

    async def delete(self, webhook_id: str) -> None:
        """Delete a registration.

        Example:
            >>> await client.webhooks.delete(hook.id)
        """
        await self._core.run(_delete(webhook_id))
