"""The composition root: the one place that knows which adapters exist and wires them together."""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass, field

from kasse.adapters.clock import ControllableClock, SystemClock
from kasse.adapters.commit_signal import CommitSignal
from kasse.adapters.ids import RandomIds
from kasse.adapters.jwt_tokens import JwtTokens
from kasse.adapters.qr_decode import ZxingQrReader
from kasse.adapters.qr_render import SegnoQrRenderer
from kasse.adapters.sql.repositories import SqlUnitOfWork
from kasse.adapters.sqlite.database import SqliteDatabase
from kasse.adapters.webhook_sender import AiohttpWebhookSender
from kasse.api.ratelimit import RateLimiter
from kasse.services.merchants import MerchantSpec, NewMerchant, create_merchant
from kasse.services.users import seed_demo_users
from kasse.settings import Settings

log = logging.getLogger("kasse")

# the demo sales unit seeded on first start: fixed credentials so the README can show them
DEMO = MerchantSpec(
    name="kasse demo shop",
    msn="123456",
    client_id="kasse-demo-client",
    client_secret="kasse-demo-secret",
    subscription_key="kasse-demo-subscription-key",
)


@dataclass
class Container:
    settings: Settings
    db: SqliteDatabase
    clock: ControllableClock
    ids: RandomIds
    tokens: JwtTokens
    limiter: RateLimiter
    qr: SegnoQrRenderer
    # webhooks: x-ms-date is signed with the wall clock (receivers compare it with theirs); commits wake the loop
    sender: AiohttpWebhookSender = field(default_factory=lambda: AiohttpWebhookSender(SystemClock()))
    commits: CommitSignal = field(default_factory=CommitSignal)
    qr_reader: ZxingQrReader = field(default_factory=ZxingQrReader)  # the wallet's image scanner


def _signing_secret(db: SqliteDatabase) -> str:
    def load_or_create(uow: SqlUnitOfWork) -> str:
        row = uow.conn.execute("SELECT value FROM settings WHERE key = 'jwt_secret'").fetchone()
        if row:
            return str(row[0])
        secret = secrets.token_urlsafe(48)
        uow.conn.execute("INSERT INTO settings (key, value) VALUES ('jwt_secret', ?)", (secret,))
        return secret

    return db.write_sync(load_or_create)


def seed_demo(container: Container) -> NewMerchant | None:
    def seed(uow: SqlUnitOfWork) -> NewMerchant | None:
        if DEMO.msn is not None and uow.merchants.get(DEMO.msn) is not None:
            return None
        return create_merchant(uow, container.clock, container.ids, DEMO)

    return container.db.write_sync(seed)


def build(settings: Settings) -> Container:
    db = SqliteDatabase(settings.database, synchronous=settings.synchronous).open()
    clock = ControllableClock()
    container = Container(
        settings=settings,
        db=db,
        clock=clock,
        ids=RandomIds(),
        tokens=JwtTokens(_signing_secret(db)),
        limiter=RateLimiter(clock.now, enabled=settings.rate_limits),
        qr=SegnoQrRenderer(),
    )
    db.on_commit(container.commits.notify)
    if settings.seed_demo:
        seed_demo(container)
        db.write_sync(lambda uow: seed_demo_users(uow, container.clock, container.ids))
    return container
