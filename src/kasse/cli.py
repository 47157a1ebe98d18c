"""The `kasse` command: serve the platform, manage sales units."""

from __future__ import annotations

import os
import sys

import click

from kasse.bootstrap import DEMO
from kasse.settings import Settings


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="kasse")
def main() -> None:
    """kasse: a self-hostable in-person mobile payment platform, wire-compatible with Vipps MobilePay."""


def _banner(settings: Settings) -> str:
    base = settings.base_url
    return "\n".join(
        [
            "kasse is starting",
            f"  API base URL       {base}",
            f"  API docs           {base}/docs",
            f"  database           {settings.database}",
            "  demo sales unit (use these against the ePayment API):",
            f"    Merchant-Serial-Number     {DEMO.msn}",
            f"    client_id                  {DEMO.client_id}",
            f"    client_secret              {DEMO.client_secret}",
            f"    Ocp-Apim-Subscription-Key  {DEMO.subscription_key}",
            f"  get a token:  curl -X POST {base}/accesstoken/get -H 'client_id: {DEMO.client_id}'"
            f" -H 'client_secret: {DEMO.client_secret}' -H 'Ocp-Apim-Subscription-Key: {DEMO.subscription_key}'",
        ]
    )


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=int, help="Port to listen on.")
@click.option("--db", "database", default=None, help="SQLite file (default ./var/kasse.db or $KASSE_DATABASE).")
@click.option("--public-url", default=None, help="Base URL customers' devices use to reach kasse.")
@click.option("--no-rate-limits", is_flag=True, help="Switch the per-reference rate limits off (load tests).")
@click.option("--no-worker", is_flag=True, help="Do not run the background loops in this process.")
def serve(
    host: str, port: int, database: str | None, public_url: str | None, no_rate_limits: bool, no_worker: bool
) -> None:
    """Start the all-in-one server: API, pages and background loops."""
    from granian import Granian
    from granian.constants import Interfaces, Loops

    settings = Settings.from_env(host=host, port=port, database=database, public_url=public_url)
    env = {
        "KASSE_DATABASE": settings.database,
        "KASSE_PUBLIC_URL": settings.base_url,
        "KASSE_RATE_LIMITS": "0" if no_rate_limits or not settings.rate_limits else "1",
        "KASSE_RUN_WORKER": "0" if no_worker else "1",
    }
    os.environ.update(env)
    click.echo(_banner(settings))
    server = Granian(
        "kasse.api.app:create_app_from_env",
        factory=True,
        address=host,
        port=port,
        interface=Interfaces.ASGI,
        loop=Loops.uvloop if sys.platform != "win32" else Loops.auto,
        workers=1,
        log_access=False,
    )
    server.serve()


@main.group()
def merchant() -> None:
    """Manage sales units (merchants)."""


@merchant.command("create")
@click.option("--name", default="kasse test shop", show_default=True, help="Sales unit name.")
@click.option("--market", type=click.Choice(["NO", "DK", "FI"]), default="NO", show_default=True)
@click.option("--msn", default=None, help="Merchant serial number (4-10 digits); generated if omitted.")
@click.option("--db", "database", default=None, help="SQLite file (default ./var/kasse.db or $KASSE_DATABASE).")
@click.option("--no-push", is_flag=True, help="Forbid PUSH_MESSAGE (skip landing page) for this sales unit.")
@click.option("--no-partial-capture", is_flag=True, help="Require captures of the full amount.")
def merchant_create(
    name: str, market: str, msn: str | None, database: str | None, no_push: bool, no_partial_capture: bool
) -> None:
    """Create a sales unit and print its credentials (the secret is shown only now)."""
    import orjson

    from kasse.bootstrap import build
    from kasse.domain.money import Market
    from kasse.services.merchants import MerchantExistsError, MerchantSpec, create_merchant

    container = build(Settings.from_env(database=database, seed_demo=False))
    spec = MerchantSpec(
        name=name,
        market=Market(market),
        msn=msn,
        push_allowed=not no_push,
        partial_capture_allowed=not no_partial_capture,
    )
    try:
        created = container.db.write_sync(lambda uow: create_merchant(uow, container.clock, container.ids, spec))
    except MerchantExistsError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        container.db.close()
    m = created.merchant
    out = {"msn": m.msn, "clientId": m.client_id, "clientSecret": created.client_secret,
           "subscriptionKey": m.subscription_keys[0]}
    click.echo(orjson.dumps(out, option=orjson.OPT_INDENT_2).decode())
