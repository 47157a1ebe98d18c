"""Waking asyncio tasks after database commits, across the writer thread and any number of event loops.

The database calls `notify` on its writer thread after each commit; every subscriber's event is set
on its own loop (once per wake-up, however many commits came in between). Subscribers clear their
event before looking for work, so a commit that lands while they look wakes them again.
"""

from __future__ import annotations

import asyncio
import threading


class CommitSignal:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._subscribers: dict[asyncio.Event, asyncio.AbstractEventLoop] = {}

    def subscribe(self) -> asyncio.Event:
        """Return an event set after every commit; call from the loop that will wait on it."""
        event = asyncio.Event()
        with self._lock:
            self._subscribers[event] = asyncio.get_running_loop()
        return event

    def unsubscribe(self, event: asyncio.Event) -> None:
        with self._lock:
            self._subscribers.pop(event, None)

    def notify(self) -> None:
        with self._lock:
            subscribers = list(self._subscribers.items())
        for event, loop in subscribers:
            if event.is_set():  # already awake; another call would only cost a loop wake-up
                continue
            try:
                loop.call_soon_threadsafe(event.set)
            except RuntimeError:  # that loop has closed; its subscriber is gone
                self.unsubscribe(event)
