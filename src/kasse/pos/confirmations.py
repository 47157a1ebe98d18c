"""Confirming the POS's captures and refunds: their pspReference and time, read from the payment's event log.

The capture and refund responses carry the pspReference of the payment's CREATED event (contract §4), not
the operation's own; the event log has one event per operation with the idempotency key it was asked with,
so the POS finds its own operations there and nobody else's (a refund made outside the POS stays unknown
to it, which is what the end of day must be able to see).
"""

from __future__ import annotations

import logging
import time
from dataclasses import replace

from kasse.pos.movement import LEGACY_REFUNDS, Movement, MovementKind
from kasse.pos.store import SqlitePosStore
from kasse.sdk import AsyncClient, KasseError, NotFoundError, PaymentEvent, PaymentEventName

log = logging.getLogger("kasse.pos")
IN_FLIGHT = 120.0  # seconds: longer than a capture or refund with the SDK's timeouts and retries can take
EVENT_OF = {MovementKind.CAPTURE: PaymentEventName.CAPTURED, MovementKind.REFUND: PaymentEventName.REFUNDED}


def confirmed_by(events: tuple[PaymentEvent, ...], movement: Movement) -> list[Movement]:
    """Return the movement(s) the event log shows for `movement`: none if it never happened."""
    name = EVENT_OF[movement.kind]
    if movement.idempotency_key.endswith(LEGACY_REFUNDS):  # a sale from before the upgrade: all its POS refunds
        prefix = movement.idempotency_key.removesuffix(LEGACY_REFUNDS)
        return [Movement(idempotency_key=e.idempotency_key, reference=movement.reference, kind=movement.kind,
                         amount=e.amount.value, psp_reference=e.psp_reference, at=e.timestamp.timestamp())
                for e in events if e.name is name and e.success and e.idempotency_key
                and e.idempotency_key.startswith(prefix)]
    return [replace(movement, psp_reference=e.psp_reference, at=e.timestamp.timestamp())
            for e in events if e.name is name and e.success and e.idempotency_key == movement.idempotency_key][:1]


async def confirm_sale(client: AsyncClient, store: SqlitePosStore, reference: str, now: float | None = None) -> None:
    """Fill in the pspReference and time of the sale's unconfirmed movements, or drop those never made.

    A movement the event log lacks is dropped only once it is `IN_FLIGHT` seconds old: until then its
    request may still be on its way (this process's till, or another process's end of day).

    Raises:
        KasseError: the platform could not be asked; the movements stay as they were.
    """
    pending = [m for m in store.movements(reference) if not m.confirmed]
    if not pending:
        return
    try:
        events = await client.payments.events(reference)
    except NotFoundError:
        events = ()
    now = time.time() if now is None else now
    shown = {m.idempotency_key: confirmed_by(events, m) for m in pending}
    store.replace_movements([m.idempotency_key for m in pending if shown[m.idempotency_key]
                             or now - m.noted_at >= IN_FLIGHT],
                            [found for confirmed in shown.values() for found in confirmed])


async def confirm_sale_quietly(client: AsyncClient, store: SqlitePosStore, reference: str) -> None:
    """`confirm_sale`, leaving the movements to the end of day's confirmation if the platform does not answer."""
    try:
        await confirm_sale(client, store, reference)
    except KasseError as err:
        log.info("confirming the movements of %s waits for the end of day: %s", reference, err)


async def confirm_all(client: AsyncClient, store: SqlitePosStore) -> int:
    """Confirm every unconfirmed movement (crashes, a database from before the upgrade); return the sales asked."""
    references = sorted({m.reference for m in store.unconfirmed_movements()})
    for reference in references:
        await confirm_sale(client, store, reference)
    return len(references)
