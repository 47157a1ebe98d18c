"""How the POS reaches the platform and how it waits: read once, passed explicitly."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from kasse.settings import DEMO_SHOP, Settings, env_seconds

# the sales unit the POS sells for; outside production the demo shop's (public) credentials fill the gaps
CREDENTIALS = ("KASSE_POS_MSN", "KASSE_POS_CLIENT_ID", "KASSE_POS_CLIENT_SECRET", "KASSE_POS_SUBSCRIPTION_KEY")
NO_SALES_UNIT = f"production mode: the POS has no sales unit; set {', '.join(CREDENTIALS)}"


@dataclass(frozen=True, slots=True, kw_only=True)
class PosConfig:
    """One sales unit's credentials, the POS's own database, its webhook URL and its polling delays."""

    base_url: str
    client_id: str
    client_secret: str
    subscription_key: str
    msn: str
    database: str
    webhook_url: str | None  # where the platform delivers webhooks; None: polling only
    public_url: str = "http://127.0.0.1:8000"  # how customers' phones reach the POS's own pages
    first_poll: float = 5.0  # contract §4.13: first read 5 s after the request ...
    poll_interval: float = 2.0  # ... then every 2 s
    exchange_personal_qr: bool = True  # exchange a scanned personal QR for the number (docs' advice)
    currency: str = "NOK"
    shop_name: str = DEMO_SHOP.name  # on the till; the wallet shows the sales unit's name, the same for the demo


def pos_database(settings: Settings) -> str:
    """Return the POS database: `KASSE_POS_DATABASE`, else `<kasse's database stem>-pos.db` beside it."""
    if os.environ.get("KASSE_POS_DATABASE"):
        return os.environ["KASSE_POS_DATABASE"]
    if settings.database == ":memory:":
        return ":memory:"
    return str(Path(settings.database).with_name(Path(settings.database).stem + "-pos.db"))


def missing_credentials(settings: Settings) -> list[str]:
    """Return the KASSE_POS_* credentials that must be set but are not (all of them, in production)."""
    return [name for name in CREDENTIALS if settings.production and not os.environ.get(name)]


def from_settings(settings: Settings) -> PosConfig | None:
    """The POS mounted in `kasse serve`: the demo shop's sales unit on this server, unless KASSE_POS_* say otherwise.

    None in production mode unless KASSE_POS_* name a sales unit: the demo's credentials are public.
    """
    if missing_credentials(settings):
        return None
    env = os.environ.get
    base = env("KASSE_POS_PLATFORM_URL") or settings.local_url
    public = (env("KASSE_POS_PUBLIC_URL") or settings.base_url).rstrip("/")
    return PosConfig(
        base_url=base,
        client_id=env("KASSE_POS_CLIENT_ID") or DEMO_SHOP.client_id,
        client_secret=env("KASSE_POS_CLIENT_SECRET") or DEMO_SHOP.client_secret,
        subscription_key=env("KASSE_POS_SUBSCRIPTION_KEY") or DEMO_SHOP.subscription_key,
        msn=env("KASSE_POS_MSN") or DEMO_SHOP.msn,
        database=pos_database(settings),
        webhook_url=f"{public}/pos/webhooks",
        public_url=public,
        first_poll=env_seconds("KASSE_POS_FIRST_POLL") or 5.0,
        poll_interval=env_seconds("KASSE_POS_POLL_INTERVAL") or 2.0,
        exchange_personal_qr=(env("KASSE_POS_SEND_PERSONAL_QR") or "0") not in ("1", "true", "yes"),
    )
