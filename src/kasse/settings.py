"""Settings read once from the environment and the command line, then passed explicitly."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from datetime import timedelta
from pathlib import Path

from kasse.domain.duration import parse_duration
from kasse.domain.report_dialect import ReportDialect, parse_dialect
from kasse.domain.webhook_target import Network, TargetPolicy, parse_networks
from kasse.exposure import UNSPECIFIED, is_loopback_host, reachable_host, url_is_loopback


def _flag(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    return default if raw is None else raw.strip().lower() in ("1", "true", "yes", "on")


class SettingsError(ValueError):
    """An environment variable kasse cannot use; `name` is the variable, `reason` what is wrong with it."""

    def __init__(self, name: str, reason: str) -> None:
        super().__init__(f"{name} {reason}")
        self.name = name
        self.reason = reason


def env_seconds(name: str) -> float | None:
    """Return the positive number of seconds in environment variable `name`, or None when it is unset.

    Raises:
        SettingsError: it holds anything else.
    """
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return None
    try:
        value = float(raw)
    except ValueError:
        value = float("nan")  # refused just below, with the variable's name
    if not 0 < value < float("inf"):
        raise SettingsError(name, f"must be a positive number of seconds, not {raw[:40]!r}")
    return value


MIN_SECRET_LENGTH = 32


def _secret(name: str, shortest: int = 1) -> str | None:
    raw = (os.environ.get(name) or "").strip()
    if raw and len(raw) < shortest:
        raise SettingsError(name, f"must be at least {shortest} characters long (try `openssl rand -hex 32`)")
    return raw or None


def _on_off(name: str) -> bool | None:
    raw = (os.environ.get(name) or "").strip().lower()
    if not raw:
        return None
    if raw in ("1", "true", "yes", "on"):
        return True
    if raw in ("0", "false", "no", "off"):
        return False
    raise SettingsError(name, f"must be on or off, not {raw[:40]!r}")


def _positive_int(name: str, default: int) -> int:
    raw = (os.environ.get(name) or "").strip().replace("_", "")
    if not raw:
        return default
    if not raw.isdigit() or int(raw) <= 0 or len(raw) > 12:
        raise SettingsError(name, f"must be a positive whole number, not {raw[:40]!r}")
    return int(raw)


def _duration(name: str, default: timedelta) -> timedelta:
    raw = (os.environ.get(name) or "").strip()
    if not raw:
        return default
    try:
        value = parse_duration(raw)
    except ValueError as exc:
        raise SettingsError(name, str(exc)) from None
    if value <= timedelta(0):
        raise SettingsError(name, "must be longer than nothing")
    return value


def _networks(name: str) -> tuple[Network, ...]:
    try:
        return parse_networks(os.environ.get(name, ""))
    except ValueError as exc:
        raise SettingsError(name, str(exc)) from None


@dataclass(frozen=True)
class DemoSalesUnit:
    """A sales unit with fixed, public credentials, so the README and the CLI defaults can name them."""

    name: str
    msn: str
    client_id: str
    client_secret: str
    subscription_key: str


# seeded on first start in test mode (`seed_demo`): the developers' unit, which the README and the CLI name
DEMO = DemoSalesUnit(
    name="kasse demo shop",
    msn="123456",
    client_id="kasse-demo-client",
    client_secret="kasse-demo-secret",
    subscription_key="kasse-demo-subscription-key",
)
# ... and the built-in POS's own unit, so the till's webhook registrations (a unit has one `user.checked-in.v1`)
# and its events leave the developers' unit alone; the till and the wallet both call it by this name
DEMO_SHOP = DemoSalesUnit(
    name="Café Kasse",
    msn="123457",
    client_id="kasse-demo-shop-client",
    client_secret="kasse-demo-shop-secret",
    subscription_key="kasse-demo-shop-subscription-key",
)
DEMO_UNITS = (DEMO, DEMO_SHOP)


@dataclass(frozen=True)
class Settings:
    database: str = "./var/kasse.db"
    database_url: str | None = None  # a PostgreSQL URL (KASSE_DATABASE_URL): the store instead of the SQLite file
    host: str = "127.0.0.1"
    port: int = 8000
    public_url: str | None = None
    production: bool = False
    rate_limits: bool = True
    run_worker: bool = True
    seed_demo: bool = True
    synchronous: str = "FULL"
    # seconds a worker's claim on a webhook delivery lasts (KASSE_DELIVERY_LEASE); test mode only, so a test can
    # outwait the claims of a worker it killed; production always uses the 60 s lease (services/deliveries.py)
    delivery_lease: float | None = None
    # signs access tokens (KASSE_SIGNING_SECRET); else a 0600 file beside the SQLite database (bootstrap)
    signing_secret: str | None = None
    # guards /_kasse and /console when kasse is exposed (KASSE_ADMIN_TOKEN); else a 0600 file beside the database
    admin_token: str | None = None
    # networks a production webhook may target besides public addresses (KASSE_WEBHOOK_ALLOW_NETWORKS, a LAN)
    webhook_allow_networks: tuple[Network, ...] = ()
    # the Report API's answers where its sources disagree (KASSE_REPORT_OPEN_DATE, KASSE_REPORT_PAYOUT_ENTRY_TYPE)
    report_dialect: ReportDialect = field(default_factory=ReportDialect)
    # the request log of the official APIs (KASSE_REQUEST_LOG=on|off; None: on outside production), kept to
    # KASSE_REQUEST_LOG_MAX_ROWS requests and KASSE_REQUEST_LOG_MAX_AGE (a duration such as 7d) on kasse's clock
    request_log: bool | None = None
    request_log_max_rows: int = 100_000
    request_log_max_age: timedelta = timedelta(days=7)
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def base_url(self) -> str:
        host = reachable_host(self.host)  # bound to every address: the one other devices can open
        host = f"[{host}]" if ":" in host else host  # an IPv6 address needs its brackets in a URL
        return (self.public_url or f"http://{host}:{self.port}").rstrip("/")

    @property
    def local_url(self) -> str:
        """Where a client on this machine (the built-in POS) reaches kasse: loopback when bound to every address."""
        if self.public_url is None and self.host.strip() in UNSPECIFIED:
            return f"http://{'[::1]' if ':' in self.host else '127.0.0.1'}:{self.port}"
        return self.base_url

    @property
    def exposed(self) -> bool:
        """Whether people other than this machine's user can reach kasse (module `kasse.exposure`)."""
        beyond = self.public_url is not None and not url_is_loopback(self.public_url)
        return self.production or not is_loopback_host(self.host) or beyond

    def beside_database(self, suffix: str) -> Path | None:
        """Return a file next to the SQLite database (`var/kasse.db` → `var/kasse<suffix>`); None for `:memory:`."""
        if self.database == ":memory:":
            return None
        path = Path(self.database)
        return path.with_name(path.stem + suffix)

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        base = cls(
            database=os.environ.get("KASSE_DATABASE", cls.database),
            host=os.environ.get("KASSE_HOST") or cls.host,
            database_url=os.environ.get("KASSE_DATABASE_URL") or None,
            public_url=os.environ.get("KASSE_PUBLIC_URL") or None,
            production=os.environ.get("KASSE_MODE", "test").lower() == "production",
            rate_limits=_flag("KASSE_RATE_LIMITS", True),
            run_worker=_flag("KASSE_RUN_WORKER", True),
            delivery_lease=env_seconds("KASSE_DELIVERY_LEASE"),
            signing_secret=_secret("KASSE_SIGNING_SECRET", MIN_SECRET_LENGTH),
            admin_token=_secret("KASSE_ADMIN_TOKEN"),
            webhook_allow_networks=_networks("KASSE_WEBHOOK_ALLOW_NETWORKS"),
            report_dialect=parse_dialect(os.environ.get("KASSE_REPORT_OPEN_DATE"),
                                         os.environ.get("KASSE_REPORT_PAYOUT_ENTRY_TYPE")),
            request_log=_on_off("KASSE_REQUEST_LOG"),
            request_log_max_rows=_positive_int("KASSE_REQUEST_LOG_MAX_ROWS", cls.request_log_max_rows),
            request_log_max_age=_duration("KASSE_REQUEST_LOG_MAX_AGE", cls.request_log_max_age),
        )
        chosen = {k: v for k, v in overrides.items() if v is not None}
        return replace(base, **chosen)  # type: ignore[arg-type]

    @property
    def records_requests(self) -> bool:
        """Whether the official APIs' requests are logged: asked for, or by default outside production."""
        return (not self.production) if self.request_log is None else self.request_log

    @property
    def webhook_targets(self) -> TargetPolicy | None:
        """Where webhooks may go: production holds them to public addresses and the allowed networks."""
        return TargetPolicy(self.webhook_allow_networks) if self.production else None

    def database_path(self) -> Path:
        return Path(self.database)
