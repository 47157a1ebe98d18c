"""`client.webhooks`: register, list and delete webhook registrations (contract §8.1).

The secret of a registration is shown once, in `register`'s answer; keep it to check deliveries with
`verify_webhook`. Registering is not idempotent, so it is resent only when it never left.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from kasse.sdk._call import Call, model, new_idempotency_key, nothing, segment
from kasse.sdk._core import AsyncCore, SyncCore

WEBHOOKS = "/webhooks/v1/webhooks"


class WebhookEventType(StrEnum):
    """An event a webhook registration can subscribe to (contract §8.2)."""

    PAYMENT_CREATED = "epayments.payment.created.v1"  # a payment was created
    PAYMENT_AUTHORIZED = "epayments.payment.authorized.v1"  # the customer approved; capture now
    PAYMENT_ABORTED = "epayments.payment.aborted.v1"  # the customer rejected, or the card was declined
    PAYMENT_EXPIRED = "epayments.payment.expired.v1"  # nobody answered in time
    PAYMENT_TERMINATED = "epayments.payment.terminated.v1"  # the merchant cancelled before approval
    PAYMENT_CAPTURED = "epayments.payment.captured.v1"  # money was captured
    PAYMENT_REFUNDED = "epayments.payment.refunded.v1"  # money was refunded
    PAYMENT_CANCELLED = "epayments.payment.cancelled.v1"  # the uncaptured rest was released
    USER_CHECKED_IN = "user.checked-in.v1"  # a customer scanned a merchant callback QR code


@dataclass(frozen=True, slots=True, kw_only=True)
class RegisteredWebhook:
    """A new registration: its id and the secret that signs its deliveries (shown only now)."""

    id: str
    secret: str = field(repr=False)  # kept out of logs


@dataclass(frozen=True, slots=True, kw_only=True)
class Webhook:
    """A registration as listed (without its secret)."""

    id: str
    url: str
    events: Sequence[str]


@dataclass(frozen=True, slots=True, kw_only=True)
class _WebhookList:
    webhooks: Sequence[Webhook]


def _register(url: str, events: Sequence[str]) -> Call[RegisteredWebhook]:
    payload = {"url": url, "events": [str(e) for e in events]}
    return Call("POST", WEBHOOKS, model(RegisteredWebhook), body=payload, idempotency_key=new_idempotency_key())


def _list() -> Call[_WebhookList]:
    return Call("GET", WEBHOOKS, model(_WebhookList), replayable=True)


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
