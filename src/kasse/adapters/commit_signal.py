"""Waking asyncio tasks after database commits, by topic, across writer threads and any number of event loops.

A commit says what it wrote as topics (services/topics.py: `DELIVERIES`, webhook deliveries became due;
`WALLET`, a wallet request arrived or changed; ...), and each subscriber names the topics it waits for, so a loop sleeps
through commits that cannot concern it: under pure create load the delivery and wallet loops never wake.
The database calls `notify` on its writer thread after each commit; every interested subscriber's event is
set on its own loop (once per wake-up, however many commits came in between). Subscribers clear their event
before looking for work, so a commit that lands while they look wakes them again.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterable

from kasse.services.topics import TOPICS


class CommitSignal:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._subscribers: dict[asyncio.Event, tuple[asyncio.AbstractEventLoop, frozenset[str]]] = {}

    def subscribe(self, *topics: str) -> asyncio.Event:
        """Return an event set after every commit of one of `topics` (all when none are named).

        Call it from the loop that will wait on the event.
        """
        event = asyncio.Event()
        with self._lock:
            self._subscribers[event] = (asyncio.get_running_loop(), frozenset(topics) or TOPICS)
        return event

    def unsubscribe(self, event: asyncio.Event) -> None:
        with self._lock:
            self._subscribers.pop(event, None)

    def notify(self, topics: Iterable[str] = TOPICS) -> None:
        """Wake the subscribers of any of `topics` (all of them when called without)."""
        wrote = topics if isinstance(topics, frozenset | set) else frozenset(topics)
        if not wrote:
            return
        with self._lock:
            subscribers = list(self._subscribers.items())
        for event, (loop, wanted) in subscribers:
            if event.is_set() or wanted.isdisjoint(wrote):  # already awake, or not its business
                continue
            try:
                loop.call_soon_threadsafe(event.set)
            except RuntimeError:  # that loop has closed; its subscriber is gone
                self.unsubscribe(event)
