"""The webhook delivery loop: claim due deliveries, send them concurrently, record outcomes in batches.

It wakes on commits that queued deliveries or made some due (topic `DELIVERIES`) and on clock moves, on every
finished send, and at least
every `POLL` seconds (a retry came due, or another process wrote). Each cycle is one write
transaction that records the attempts finished since the last one and claims new work, so under
load the cost is one commit per cycle, not per delivery, and the next delivery of a payment is
claimed in the same transaction that records its predecessor as delivered.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Collection, Sequence
from datetime import timedelta
from typing import TYPE_CHECKING

from kasse.domain.delivery_shares import full_units
from kasse.domain.webhook_delivery import DeliveryJob
from kasse.live_streams import woken
from kasse.services.deliveries import LEASE, AttemptResult, WebhookSender, claim_due, find_fair_share, record_attempts
from kasse.services.faulty_sender import FaultyWebhookSender
from kasse.services.ports import Clock, Ids, UnitOfWork
from kasse.services.topics import CLOCK, DELIVERIES

if TYPE_CHECKING:
    from kasse.container import CommitSignals, Container, Database
    from kasse.settings import Settings

log = logging.getLogger("kasse.webhooks")

POLL = 0.5  # seconds of real time between looks when nothing woke the loop
MAX_IN_FLIGHT = 64
# seconds a wake-up waits for more commits and finished sends to join it: under load a commit lands
# every few ms, and a cycle per commit cost more than it delivered (64 connections: 720/s and seconds
# of lag without it, 1,150/s and p99 < 200 ms with it; bench/webhooks.py)
COALESCE = 0.002
# seconds between looks for other units' work while a unit holds its whole share: each look steps over that
# unit's backlog in the due index (~1 ms for 3,900 rows), and a commit wakes the loop every few ms under load
RELOOK = 0.1
SHUTDOWN_GRACE = 2.0  # seconds given to sends in flight when stopping; the rest are resent after their lease


class DeliveryLoop:
    """Sends due deliveries, at most `max_in_flight` at a time, each sales unit within its fair share of them.

    One instance per process. The shares (domain/delivery_shares.py) keep a unit whose receivers never
    answer from holding every slot for their whole timeout while other units' webhooks wait.
    """

    def __init__(self, db: Database, clock: Clock, ids: Ids, sender: WebhookSender,
                 commits: CommitSignals | None = None, *, max_in_flight: int = MAX_IN_FLIGHT,
                 poll: float = POLL, lease: timedelta = LEASE) -> None:
        self.db = db
        self.clock = clock
        self.ids = ids
        self.sender = sender
        self.commits = commits
        self.max_in_flight = max_in_flight
        self.poll = poll
        self.lease = lease
        self._in_flight: dict[int, str] = {}  # claimed here and not yet recorded: delivery id -> sales unit
        self._results: list[AttemptResult] = []
        self._tasks: set[asyncio.Task[None]] = set()
        self._wake = asyncio.Event()
        self._quiet_until = 0.0  # loop time before which a fruitless look is not repeated (RELOOK)

    async def run(self, stop: asyncio.Event) -> None:
        """Deliver until `stop` is set; then give sends in flight a moment and record what finished."""
        if self.commits is not None:
            self._wake = self.commits.subscribe(DELIVERIES, CLOCK)
        stopper = asyncio.create_task(self._stop_on(stop))
        try:
            while not stop.is_set():
                await asyncio.sleep(COALESCE)
                self._wake.clear()
                try:
                    await self.cycle()
                except Exception:  # nothing is lost: unrecorded attempts stay queued, claims run out
                    log.exception("webhook delivery cycle failed; retrying in %s s", self.poll)
                    await woken(stop, timeout=self.poll)
                    continue
                await woken(self._wake, timeout=self.poll)
        finally:
            stopper.cancel()
            await self._shutdown()

    async def _stop_on(self, stop: asyncio.Event) -> None:
        await stop.wait()
        self._wake.set()

    def _due(self, uow: UnitOfWork, free: int, finished: Collection[int] = ()) -> list[int]:
        """Return due deliveries to start in `free` slots, the sends in `finished` no longer counting."""
        units = Counter(msn for i, msn in self._in_flight.items() if i not in finished)
        return find_fair_share(uow, self.clock.now(), in_flight=units, capacity=self.max_in_flight, free=free,
                               exclude=self._in_flight.keys())

    async def _candidates(self, free: int) -> list[int]:
        now = asyncio.get_running_loop().time()
        if free <= 0 or now < self._quiet_until:
            return []
        # off the event loop: on PostgreSQL a read is a round trip the API requests would wait on
        found = await self.db.query(lambda uow: self._due(uow, free))
        units = Counter(self._in_flight.values())
        if not found and full_units(units, self.max_in_flight, len(units)):  # it stepped over a full unit's backlog
            self._quiet_until = now + RELOOK
        return found

    async def cycle(self) -> int:
        """Record finished attempts, claim what is due, start sending it; return how many were started."""
        results, self._results = self._results, []
        free = self.max_in_flight - len(self._in_flight) + len(results)
        candidates = [] if results else await self._candidates(free)
        if not results and not candidates:
            return 0
        finished = {result.job.id for result in results}
        token = self.ids.token()

        def job(uow: UnitOfWork) -> Sequence[DeliveryJob]:
            now = self.clock.now()
            record_attempts(uow, results, now)
            # their successors may have become sendable in this very transaction
            ids = self._due(uow, free, finished) if results else candidates
            return claim_due(uow, ids, now, token, self.lease)

        try:
            jobs = await self.db.write(job)
        except BaseException:
            self._results = results + self._results  # record them next time; their claims still hold
            raise
        for result in results:
            self._in_flight.pop(result.job.id, None)
        for claimed in jobs:
            self._start(claimed)
        return len(jobs)

    def _start(self, job: DeliveryJob) -> None:
        self._in_flight[job.id] = job.msn
        task = asyncio.create_task(self._send(job))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _send(self, job: DeliveryJob) -> None:
        result = await self.sender.send(job, self.clock.now())
        self._results.append(result)
        self._wake.set()

    async def _shutdown(self) -> None:
        if self._tasks:
            _, pending = await asyncio.wait(set(self._tasks), timeout=SHUTDOWN_GRACE)
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
        if self._results:
            results, self._results = self._results, []
            try:
                await self.db.write(lambda uow: record_attempts(uow, results, self.clock.now()))
            except Exception:
                log.exception("could not record %d attempts on shutdown; they will be resent", len(results))
        if self.commits is not None:
            self.commits.unsubscribe(self._wake)
        await self.sender.aclose()


async def deliver_webhooks(container: Container, stop: asyncio.Event) -> None:
    """Run the delivery loop over the container's database, clock and sender until `stop` is set."""
    sender: WebhookSender = container.sender
    if not container.settings.production:  # test faults (docs/faults.md) never touch a production delivery
        sender = FaultyWebhookSender(container.sender, container.faults, container.clock)
    loop = DeliveryLoop(container.db, container.clock, container.ids, sender, container.commits,
                        lease=delivery_lease(container.settings))
    await loop.run(stop)


def delivery_lease(settings: Settings) -> timedelta:
    """Return the claim lease: KASSE_DELIVERY_LEASE in test mode (tests outwait a killed worker), else 60 s."""
    if settings.production or settings.delivery_lease is None:
        return LEASE
    return timedelta(seconds=settings.delivery_lease)
