"""The schema as SQLAlchemy Core tables; Alembic migrations must produce exactly this (a test checks).

Times are integer microseconds since the epoch (UTC): compact, ordered, and the same on both backends.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    text,
)

metadata = MetaData()

merchants = Table(
    "merchants",
    metadata,
    Column("msn", String(10), primary_key=True),
    Column("name", Text, nullable=False),
    Column("market", String(2), nullable=False),
    Column("client_id", String(64), nullable=False, unique=True),
    Column("client_secret_hash", String(64), nullable=False),
    Column("subscription_key_primary", String(64), nullable=False),  # 0004: SHA-256 hex of the key, as the secret
    Column("subscription_key_secondary", String(64), nullable=False),
    Column("push_allowed", Boolean, nullable=False),
    Column("partial_capture_allowed", Boolean, nullable=False),
    Column("long_living_allowed", Boolean, nullable=False),
    Column("created_at", BigInteger, nullable=False),
)

payments = Table(
    "payments",
    metadata,
    Column("msn", String(10), primary_key=True),
    Column("reference", String(64), primary_key=True),
    Column("psp_reference", String(64), nullable=False),
    Column("state", String(16), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("authorized", BigInteger, nullable=False),
    Column("captured", BigInteger, nullable=False),
    Column("refunded", BigInteger, nullable=False),
    Column("cancelled", BigInteger, nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Column("expires_at", BigInteger, nullable=False),
    Column("version", Integer, nullable=False),
    Column("idempotency_key", String(50)),
    Column("token", String(64), unique=True),
    Column("details", Text, nullable=False),
)
Index("payments_due", payments.c.expires_at, sqlite_where=text("state = 'CREATED'"),
      postgresql_where=text("state = 'CREATED'"))

payment_events = Table(
    "payment_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("msn", String(10), nullable=False),
    Column("reference", String(64), nullable=False),
    Column("psp_reference", String(64), nullable=False),
    Column("name", String(16), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("timestamp", BigInteger, nullable=False),
    Column("idempotency_key", String(50)),
    Column("success", Boolean, nullable=False),
)
Index("payment_events_by_payment", payment_events.c.msn, payment_events.c.reference, payment_events.c.id)

idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("msn", String(10), primary_key=True),
    Column("key", String(50), primary_key=True),
    Column("fingerprint", String(64), nullable=False),
    Column("status", Integer, nullable=False),
    Column("body", LargeBinary, nullable=False),
    Column("created_at", BigInteger, nullable=False),
)

webhooks = Table(
    "webhooks",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("msn", String(10), nullable=False, index=True),
    Column("url", Text, nullable=False),
    Column("secret", Text, nullable=False),
    Column("events", Text, nullable=False),
    Column("created_at", BigInteger, nullable=False),
)

webhook_subscriptions = Table(
    "webhook_subscriptions",
    metadata,
    Column("webhook_id", String(36), ForeignKey("webhooks.id", ondelete="CASCADE"), primary_key=True),
    Column("event_type", String(64), primary_key=True),
    Column("msn", String(10), nullable=False),
)
Index("webhook_subscriptions_lookup", webhook_subscriptions.c.msn, webhook_subscriptions.c.event_type)

webhook_deliveries = Table(
    "webhook_deliveries",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("webhook_id", String(36), nullable=False),
    Column("msn", String(10), nullable=False),
    Column("reference", String(64)),
    Column("event_id", BigInteger),
    Column("event_type", String(64), nullable=False),
    Column("payload", LargeBinary, nullable=False),
    Column("state", String(16), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Column("next_attempt_at", BigInteger, nullable=False),
    Column("last_attempt_at", BigInteger),
    Column("last_status", Integer),
    Column("last_error", Text),
    Column("last_latency_ms", Integer),
    Column("delivered_at", BigInteger),
    # 0002: a worker's claim; another may take the delivery once `claimed_until` has passed
    Column("claimed_until", BigInteger),
    Column("claim_token", String(64)),
)
Index("webhook_deliveries_due", webhook_deliveries.c.next_attempt_at,
      sqlite_where=text("state = 'PENDING'"), postgresql_where=text("state = 'PENDING'"))
Index("webhook_deliveries_by_reference", webhook_deliveries.c.msn, webhook_deliveries.c.reference)
Index("webhook_deliveries_pending_by_payment", webhook_deliveries.c.webhook_id, webhook_deliveries.c.msn,
      webhook_deliveries.c.reference, webhook_deliveries.c.id,
      sqlite_where=text("state = 'PENDING'"), postgresql_where=text("state = 'PENDING'"))

webhook_delivery_attempts = Table(
    "webhook_delivery_attempts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("delivery_id", BigInteger, nullable=False),
    Column("number", Integer, nullable=False),
    Column("outcome", String(16), nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Column("sent_at", BigInteger, nullable=False),
    Column("response_code", Integer),
    Column("latency_ms", Integer, nullable=False),
    Column("error", Text),
)
Index("webhook_delivery_attempts_by_delivery", webhook_delivery_attempts.c.delivery_id,
      webhook_delivery_attempts.c.id)

settings = Table(
    "settings",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

# 0003: the wallet (test users, their payment requests, check-ins), static QR codes and receipts
wallet_users = Table(
    "wallet_users",
    metadata,
    Column("msisdn", String(15), primary_key=True),
    Column("name", Text, nullable=False),
    Column("birth_date", String(10), nullable=False),
    Column("market", String(2), nullable=False),
    Column("card_brand", String(16), nullable=False),
    Column("card_last4", String(4), nullable=False),
    Column("card_expires", String(10), nullable=False),
    Column("qr_token", String(128), nullable=False, unique=True),
    Column("qr_issued_at", BigInteger, nullable=False),
    Column("behaviour", String(16), nullable=False),
    Column("behaviour_delay", Integer, nullable=False),
    Column("created_at", BigInteger, nullable=False),
)

wallet_requests = Table(
    "wallet_requests",
    metadata,
    Column("msn", String(10), primary_key=True),
    Column("reference", String(64), primary_key=True),
    Column("msisdn", String(15), nullable=False),
    Column("source", String(16), nullable=False),
    Column("arrived_at", BigInteger, nullable=False),
    Column("check_in_token", String(128)),
    Column("due_action", String(16)),
    Column("due_at", BigInteger),
    Column("answer", String(16)),
    Column("note", Text),
)
Index("wallet_requests_by_user", wallet_requests.c.msisdn, wallet_requests.c.arrived_at)
Index("wallet_requests_by_check_in", wallet_requests.c.check_in_token)
Index("wallet_requests_due", wallet_requests.c.due_at,
      sqlite_where=text("due_at IS NOT NULL"), postgresql_where=text("due_at IS NOT NULL"))

wallet_check_ins = Table(
    "wallet_check_ins",
    metadata,
    Column("token", String(128), primary_key=True),
    Column("msisdn", String(15), nullable=False),
    Column("msn", String(10), nullable=False),
    Column("merchant_qr_id", String(128), nullable=False),
    Column("location_description", Text, nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Column("expires_at", BigInteger, nullable=False),
)

qr_redirects = Table(
    "qr_redirects",
    metadata,
    Column("msn", String(10), primary_key=True),
    Column("qr_id", String(128), primary_key=True),
    Column("redirect_url", Text, nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Column("expires_at", BigInteger),
)

qr_callbacks = Table(
    "qr_callbacks",
    metadata,
    Column("msn", String(10), primary_key=True),
    Column("merchant_qr_id", String(128), primary_key=True),
    Column("location_description", Text, nullable=False),
    Column("created_at", BigInteger, nullable=False),
)

order_receipts = Table(
    "order_receipts",
    metadata,
    Column("msn", String(10), primary_key=True),
    Column("payment_type", String(16), primary_key=True),
    Column("order_id", String(128), primary_key=True),
    Column("receipt_id", String(36), nullable=False),
    Column("body", Text, nullable=False),
    Column("created_at", BigInteger, nullable=False),
)

order_categories = Table(
    "order_categories",
    metadata,
    Column("msn", String(10), primary_key=True),
    Column("payment_type", String(16), primary_key=True),
    Column("order_id", String(128), primary_key=True),
    Column("category_id", String(36), nullable=False),
    Column("category", String(32), nullable=False),
    Column("order_details_url", Text, nullable=False),
    Column("image_id", String(128)),
    Column("updated_at", BigInteger, nullable=False),
)

# 0005: what every process of an installation shares besides the data: armed test faults, rate-limit windows
faults = Table(
    "faults",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),  # arming order: the oldest fires first
    Column("id", String(32), nullable=False, unique=True),
    Column("msn", String(10), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("endpoint", String(16)),
    Column("remaining", Integer),  # NULL: until disarmed
    Column("delay_seconds", Float),
    Column("armed_at", BigInteger, nullable=False),
)
Index("faults_by_msn", faults.c.msn, faults.c.seq)

rate_limits = Table(  # UNLOGGED on PostgreSQL (migration 0005); used by PostgreSQL only (adapters/rate_limits.py)
    "rate_limits",
    metadata,
    Column("operation", String(16), primary_key=True),
    Column("scope", String(64), primary_key=True),
    Column("reference", String(64), primary_key=True),
    Column("hits", Text, nullable=False),  # the window's hits, microseconds of kasse's clock, comma-separated
    Column("refused", Boolean, nullable=False),  # whether the last hit was refused
    Column("last_at", BigInteger, nullable=False),
)
Index("rate_limits_by_last", rate_limits.c.last_at)
# 0005: the event stream follows one sales unit; the console lists deliveries by payment or by sales unit
Index("payment_events_by_msn", payment_events.c.msn, payment_events.c.id)
Index("webhook_deliveries_by_ref", webhook_deliveries.c.reference, webhook_deliveries.c.id)
Index("webhook_deliveries_by_msn", webhook_deliveries.c.msn, webhook_deliveries.c.id)

# 0007: settlement (Report API): a ledger per sales unit with its terms and state, the entries of its two
# topics, its payouts, and accounting partners with the ledgers granted to them
ledgers = Table(
    "ledgers",
    metadata,
    Column("ledger_id", String(16), primary_key=True),
    Column("msn", String(10), nullable=False, unique=True),
    Column("market", String(2), nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Column("fee_basis_points", Integer, nullable=False),
    Column("fee_fixed", BigInteger, nullable=False),
    Column("mode", String(8), nullable=False),
    Column("frequency", String(8), nullable=False),
    Column("payout_delay_days", Integer, nullable=False),
    Column("funds_balance", BigInteger, nullable=False),
    Column("funds_position", BigInteger, nullable=False),
    Column("fees_balance", BigInteger, nullable=False),
    Column("fees_position", BigInteger, nullable=False),
    Column("payouts", Integer, nullable=False),
    Column("last_closed", String(10), nullable=False),
    Column("next_close_at", BigInteger, nullable=False, index=True),
)

ledger_entries = Table(
    "ledger_entries",
    metadata,
    Column("ledger_id", String(16), primary_key=True),
    Column("topic", String(8), primary_key=True),
    Column("position", BigInteger, primary_key=True),  # the unique key that keeps a balance chain single
    Column("psp_reference", String(64), nullable=False),
    Column("time", BigInteger, nullable=False),
    Column("ledger_date", String(10), nullable=False),
    Column("entry_type", String(32), nullable=False),
    Column("reference", Text),
    Column("currency", String(3), nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("balance_before", BigInteger, nullable=False),
    Column("recipient_handle", String(32)),
)
Index("ledger_entries_by_date", ledger_entries.c.ledger_id, ledger_entries.c.topic, ledger_entries.c.ledger_date,
      ledger_entries.c.position)

ledger_payouts = Table(
    "ledger_payouts",
    metadata,
    Column("ledger_id", String(16), primary_key=True),
    Column("number", Integer, primary_key=True),
    Column("amount", BigInteger, nullable=False),
    Column("ledger_date", String(10), nullable=False),
    Column("scheduled_at", BigInteger, nullable=False),
    Column("delay_days", Integer, nullable=False),
    Column("reference", Text, nullable=False),
    Column("aborted", Boolean, nullable=False),
)

accounting_partners = Table(
    "accounting_partners",
    metadata,
    Column("partner_id", String(36), primary_key=True),
    Column("name", Text, nullable=False),
    Column("client_id", String(64), nullable=False, unique=True),
    Column("client_secret_hash", String(64), nullable=False),
    Column("created_at", BigInteger, nullable=False),
)

partner_grants = Table(
    "partner_grants",
    metadata,
    Column("partner_id", String(36), primary_key=True),
    Column("ledger_id", String(16), primary_key=True),
    Column("created_at", BigInteger, nullable=False),
)

# 0006: the request log (issue 15.3): every official API request, redacted; pruned by count and age, so its
# indexes serve listing by sales unit, by payment and by id, and the age cut, each at the cost of what it returns
request_log = Table(
    "request_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", BigInteger, nullable=False),  # kasse's clock, like payment events
    Column("method", String(8), nullable=False),
    Column("path", Text, nullable=False),
    Column("query", Text, nullable=False),
    Column("status", Integer, nullable=False),
    Column("duration_ms", Float, nullable=False),
    Column("msn", Text),  # as sent by the caller when unauthenticated: any text, so no width to overflow
    Column("reference", Text),
    Column("idempotency_key", Text),
    Column("request_headers", Text, nullable=False),  # JSON object, credentials redacted
    Column("request_body", Text, nullable=False),
    Column("response_body", Text, nullable=False),
)
Index("request_log_by_msn", request_log.c.msn, request_log.c.id)
Index("request_log_by_reference", request_log.c.reference, request_log.c.id)
Index("request_log_by_at", request_log.c.at)

# 0008: the console's payment list, newest first: each index starts with what a filter fixes and goes on in the
# list's order (created_at, msn, reference), so a page is a seek and a short walk with a million payments stored
Index("payments_by_created", payments.c.created_at, payments.c.msn, payments.c.reference)
Index("payments_by_msn_created", payments.c.msn, payments.c.created_at, payments.c.reference)
Index("payments_by_state_created", payments.c.state, payments.c.created_at, payments.c.msn, payments.c.reference)
Index("payments_by_msn_state_created", payments.c.msn, payments.c.state, payments.c.created_at, payments.c.reference)
Index("payments_by_reference", payments.c.reference)
Index("payment_events_by_psp", payment_events.c.psp_reference)
