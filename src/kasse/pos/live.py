"""Wake-ups for the POS's open pages and its poll loop: a version number and the waiters to tell."""

from __future__ import annotations

import asyncio

from kasse.live_streams import woken

__all__ = ["Notifier", "woken"]


class Notifier:
    """Tell every subscriber that something a page shows may have changed."""

    def __init__(self) -> None:
        self.version = 0
        self._waiters: set[asyncio.Event] = set()

    def changed(self) -> None:
        self.version += 1
        for waiter in list(self._waiters):
            waiter.set()

    def subscribe(self) -> asyncio.Event:
        event = asyncio.Event()
        self._waiters.add(event)
        return event

    def unsubscribe(self, event: asyncio.Event) -> None:
        self._waiters.discard(event)
