"""Waiting for the first of several asyncio events, or a timeout: what every loop and live stream does."""

from __future__ import annotations

import asyncio


async def woken(*events: asyncio.Event, timeout: float | None) -> None:
    """Return when any event is set or `timeout` seconds pass (None: no time limit)."""
    waiters = [asyncio.ensure_future(e.wait()) for e in events]
    try:
        await asyncio.wait(waiters, timeout=None if timeout is None else max(0.0, timeout),
                           return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()
