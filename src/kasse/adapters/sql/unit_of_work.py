"""The SQL unit of work: every repository over one connection, inside the caller's transaction.

`topics` collects what the transaction wrote (`adapters.commit_signal`); the database hands them to the
commit signal once the transaction has committed.
"""

from __future__ import annotations

from collections.abc import MutableMapping, Sequence

from kasse.adapters.sql.clock_repository import SqlClockState
from kasse.adapters.sql.connection import Connection, Sent
from kasse.adapters.sql.ledger_repositories import SqlLedgers, SqlPartners
from kasse.adapters.sql.payment_list import SqlPaymentList
from kasse.adapters.sql.repositories import SqlEvents, SqlIdempotency, SqlMerchants, SqlOutbox, SqlPayments
from kasse.adapters.sql.request_log import SqlRequestLog
from kasse.adapters.sql.wallet_repositories import SqlReceipts, SqlStaticQrs, SqlUsers, SqlWallet
from kasse.adapters.sql.webhook_repositories import SqlDeliveries, SqlDeliveryLog, SqlEventFeed, SqlWebhooks
from kasse.domain.merchant import Merchant


class SqlUnitOfWork:
    """All repositories over one connection; `merchants` is a cache shared by the database's connections."""

    def __init__(self, conn: Connection, merchants: MutableMapping[str, Merchant] | None = None) -> None:
        self.conn = conn
        self.topics: set[str] = set()
        self.unsettled: list[tuple[Sent, str]] = []  # (pipelined statement, topic if it changed any row)
        self.payments = SqlPayments(conn, self.topics)
        self.events = SqlEvents(conn, self.topics)
        self.idempotency = SqlIdempotency(conn, self.payments)
        self.merchants = SqlMerchants(conn, {} if merchants is None else merchants)
        self.outbox = SqlOutbox(conn, self.topics, self.unsettled)
        self.webhooks = SqlWebhooks(conn)
        self.deliveries = SqlDeliveries(conn, self.topics)
        self.users = SqlUsers(conn)
        self.wallet = SqlWallet(conn, self.topics)
        self.static_qrs = SqlStaticQrs(conn)
        self.receipts = SqlReceipts(conn)
        self.clock_state = SqlClockState(conn, self.topics)
        self.delivery_log = SqlDeliveryLog(conn)
        self.event_feed = SqlEventFeed(conn)
        self.payment_list = SqlPaymentList(conn)
        self.request_log = SqlRequestLog(conn)
        self.ledgers = SqlLedgers(conn)
        self.partners = SqlPartners(conn)

    def settle(self) -> None:
        """Once a pipelined job's statements have their results: turn the rows they changed into topics."""
        self.topics.update(topic for sent, topic in self.unsettled if sent.rowcount > 0)
        self.unsettled.clear()
        self._forget_reads()

    def read_ahead(self, reads: Sequence[tuple[str, str, str]]) -> None:
        """Send the first reads of a batch's jobs (msn, reference, key) at once (`write_jobs.reads_ahead`)."""
        self.idempotency.read_ahead(reads)

    def _forget_reads(self) -> None:
        self.payments.ahead.clear()
        self.payments.expected = None
        self.idempotency.ahead.clear()

    def mark(self) -> tuple[frozenset[str], int]:
        """Return where the bookkeeping stands, for `undo` when a job is rolled back to its savepoint."""
        return frozenset(self.topics), len(self.unsettled)

    def undo(self, mark: tuple[frozenset[str], int]) -> None:
        """Forget what a rolled-back job said it wrote."""
        self.topics.intersection_update(mark[0])
        del self.unsettled[mark[1]:]
        self._forget_reads()  # the later jobs' reads ahead too: they read again, alone

    def take_topics(self) -> frozenset[str]:
        """Return what was written since the last call, and start collecting afresh."""
        self.settle()
        written = frozenset(self.topics)
        self.topics.clear()
        return written
