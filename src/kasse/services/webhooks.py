"""Use cases of the Webhooks API (contract §8.1): register, list and delete a sales unit's webhooks.

The URL, event names and per-sales-unit limits are checked in the transaction that stores the
registration, so two concurrent registrations cannot both slip under a limit. A sales unit sees and
deletes only its own registrations. Deleting one discards its pending deliveries: nowhere is left
to send them.
"""

from __future__ import annotations

from collections.abc import Sequence

from kasse.domain.webhook_delivery import discard
from kasse.domain.webhook_registration import Registration, check_events, check_limits, check_url
from kasse.domain.webhook_target import TargetPolicy
from kasse.services.ports import Clock, Ids, UnitOfWork


class WebhookNotFoundError(LookupError):
    """No registration with this id belongs to the sales unit (another sales unit's included)."""


def register_webhook(
    uow: UnitOfWork, clock: Clock, ids: Ids, *, msn: str, url: str, events: Sequence[str], production: bool,
    targets: TargetPolicy | None = None,
) -> Registration:
    """Register `url` for `events` with a fresh secret; the secret is shown to the caller only now.

    Raises:
        InvalidRegistrationError: the URL or an event name is refused, or a limit is reached.
    """
    check_url(url, production=production, targets=targets)
    wanted = check_events(events)
    check_limits(wanted, uow.webhooks.counts(msn))
    # ids.psp_reference() is a random UUID, the id format the Webhooks API declares
    registration = Registration(ids.psp_reference(), msn, url, ids.token(), wanted, clock.now())
    uow.webhooks.add(registration)
    return registration


def list_webhooks(uow: UnitOfWork, msn: str) -> Sequence[Registration]:
    """Return the sales unit's registrations, oldest first."""
    return uow.webhooks.list(msn)


def delete_webhook(uow: UnitOfWork, msn: str, webhook_id: str) -> int:
    """Delete the sales unit's registration and discard its pending deliveries; return how many.

    Raises:
        WebhookNotFoundError: the sales unit has no registration with this id.
    """
    if uow.webhooks.get(msn, webhook_id) is None:
        raise WebhookNotFoundError(webhook_id)
    pending = uow.deliveries.pending_for(webhook_id)
    for delivery in pending:
        uow.deliveries.update(discard(delivery))
    uow.webhooks.delete(msn, webhook_id)
    return len(pending)
