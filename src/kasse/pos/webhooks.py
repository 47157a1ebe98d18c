"""The POS's webhook registration and receiver: every delivery's signature is checked before it is read.

A verified payment event only makes its sale due; the settle step reads the payment itself, so a forged,
repeated or out-of-order delivery can never mark a sale paid.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping

from kasse.pos.service import PosService
from kasse.sdk import (
    CheckedInEvent,
    InvalidWebhookError,
    PaymentWebhookEvent,
    WebhookEventType,
    parse_webhook_event,
    verify_webhook,
)

log = logging.getLogger("kasse.pos.webhooks")
EVENTS = (WebhookEventType.PAYMENT_AUTHORIZED, WebhookEventType.PAYMENT_ABORTED, WebhookEventType.PAYMENT_EXPIRED,
          WebhookEventType.PAYMENT_TERMINATED, WebhookEventType.USER_CHECKED_IN)
CheckInHandler = Callable[[CheckedInEvent], Awaitable[None]]


async def ensure_webhook(pos: PosService) -> None:
    """Register the receiver once; reuse the stored secret while the registration still exists."""
    url = pos.config.webhook_url
    if url is None:
        return
    known, secret = pos.store.setting("webhook_id"), pos.store.webhook_secret()
    hooks = await pos.client.webhooks.list()
    if known and secret and any(h.id == known for h in hooks):
        return
    for hook in hooks:
        if hook.url == url:  # ours, but its secret is lost: replace it
            await pos.client.webhooks.delete(hook.id)
    registered = await pos.client.webhooks.register(url, EVENTS)
    pos.store.set_webhook_secret(registered.secret)  # first: a delivery may come before this function returns
    pos.store.set_setting("webhook_id", registered.id)
    log.info("registered webhook %s for %s", registered.id, url)


async def receive(pos: PosService, headers: Mapping[str, str], body: bytes,
                  on_check_in: CheckInHandler | None = None) -> int:
    """Verify and act on one delivery; return the HTTP status to answer with."""
    secret, url = pos.store.webhook_secret(), pos.config.webhook_url
    if secret is None or url is None:
        log.warning("webhook rejected: this POS has no registration")
        return 401
    try:
        verify_webhook(headers, body, secret, url)
        event = parse_webhook_event(body)
    except InvalidWebhookError as err:
        log.warning("webhook rejected: %s", err)
        return 401
    if isinstance(event, PaymentWebhookEvent):
        if pos.store.sale(event.reference) is not None:
            pos.make_due(event.reference)
        return 200
    if on_check_in is not None:
        await on_check_in(event)
    return 200
