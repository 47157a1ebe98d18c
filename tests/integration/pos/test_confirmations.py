"""The POS finds its own captures and refunds in the payment's event log by idempotency key, and only those."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from kasse.pos.confirmations import IN_FLIGHT, confirm_all, confirm_sale
from kasse.pos.movement import Movement, MovementKind
from kasse.pos.store import SqlitePosStore
from kasse.sdk import NetworkError
from tests.integration.pos.test_pos_store_movements import old_file
from tests.unit.sdk.fakes import FakeApi

AT = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def event(name: str, value: int, psp: str, key: str | None, reference: str = "pos-paid") -> dict[str, Any]:
    return {"reference": reference, "pspReference": psp, "name": name, "amount": {"currency": "NOK", "value": value},
            "timestamp": AT.isoformat().replace("+00:00", "Z"), "idempotencyKey": key, "success": True}


def events_api(reference: str, *events: dict[str, Any]) -> FakeApi:
    return FakeApi().script(f"/epayment/v1/payments/{reference}/events", httpx.Response(200, json=list(events)))


def test_a_capture_is_confirmed_with_its_own_events_psp_reference_and_time(tmp_path: Path) -> None:
    store = SqlitePosStore(tmp_path / "pos.db")
    store.add_movement(Movement(idempotency_key="capture-pos-1", reference="pos-1", kind=MovementKind.CAPTURE,
                                amount=3900))
    api = events_api("pos-1", event("CREATED", 3900, "psp-created", "create-pos-1", "pos-1"),
                     event("CAPTURED", 3900, "psp-capture", "capture-pos-1", "pos-1"))

    asyncio.run(confirm_sale(api.async_client(), store, "pos-1"))

    assert store.movements("pos-1") == [Movement(idempotency_key="capture-pos-1", reference="pos-1",
                                                 kind=MovementKind.CAPTURE, amount=3900,
                                                 psp_reference="psp-capture", at=AT.timestamp())]


def test_an_upgraded_sales_refunds_are_the_pos_keyed_ones_and_a_refund_made_elsewhere_is_not(tmp_path: Path) -> None:
    store = SqlitePosStore(old_file(tmp_path / "pos.db"))
    api = events_api("pos-paid", event("CAPTURED", 3900, "c", "capture-pos-paid"),
                     event("REFUNDED", 600, "r1", "refund-pos-paid-0-600"),
                     event("REFUNDED", 400, "r2", "refund-pos-paid-600-400"),
                     event("REFUNDED", 900, "elsewhere", "backoffice-1"))

    asked = asyncio.run(confirm_all(api.async_client(), store))

    assert asked == 1 and store.unconfirmed_movements() == []
    assert [(m.kind, m.amount, m.psp_reference) for m in store.movements("pos-paid")] == [
        (MovementKind.CAPTURE, 3900, "c"), (MovementKind.REFUND, 600, "r1"), (MovementKind.REFUND, 400, "r2")]


def test_a_movement_the_platform_never_made_is_dropped(tmp_path: Path) -> None:
    store = SqlitePosStore(tmp_path / "pos.db")
    store.add_movement(Movement(idempotency_key="refund-pos-1-0-100", reference="pos-1", kind=MovementKind.REFUND,
                                amount=100))

    asyncio.run(confirm_sale(events_api("pos-1", event("CAPTURED", 3900, "c", "capture-pos-1")).async_client(),
                             store, "pos-1"))

    assert store.movements("pos-1") == []


def test_a_movement_noted_moments_ago_may_still_be_under_way_and_stays(tmp_path: Path) -> None:
    store = SqlitePosStore(tmp_path / "pos.db")
    intent = Movement(idempotency_key="refund-pos-1-0-100", reference="pos-1", kind=MovementKind.REFUND, amount=100,
                      noted_at=1000.0)
    store.add_movement(intent)
    api = events_api("pos-1", event("CAPTURED", 3900, "c", "capture-pos-1"))

    asyncio.run(confirm_sale(api.async_client(), store, "pos-1", now=1000.0 + IN_FLIGHT - 1))
    kept = store.movements("pos-1")
    asyncio.run(confirm_sale(api.async_client(), store, "pos-1", now=1000.0 + IN_FLIGHT))

    assert kept == [intent] and store.movements("pos-1") == []


def test_a_confirmation_that_read_the_log_too_early_never_undoes_a_confirmed_movement(tmp_path: Path) -> None:
    store = SqlitePosStore(tmp_path / "pos.db")
    confirmed = Movement(idempotency_key="capture-pos-1", reference="pos-1", kind=MovementKind.CAPTURE, amount=1,
                         psp_reference="c", at=5.0)
    store.replace_movements([], [confirmed])

    store.replace_movements(["capture-pos-1"], [])

    assert store.movements("pos-1") == [confirmed]


def test_without_an_answer_the_movements_stay_to_confirm_later(tmp_path: Path) -> None:
    store = SqlitePosStore(tmp_path / "pos.db")
    intent = Movement(idempotency_key="capture-pos-1", reference="pos-1", kind=MovementKind.CAPTURE, amount=1)
    store.add_movement(intent)
    api = FakeApi().script("/epayment/v1/payments/pos-1/events", httpx.ConnectError("refused"))

    with pytest.raises(NetworkError):
        asyncio.run(confirm_sale(api.async_client(attempts=1), store, "pos-1"))

    assert store.movements("pos-1") == [intent]
