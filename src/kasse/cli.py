"""The `kasse` command: serve the platform, manage sales units."""

from __future__ import annotations

import os
import sys
from datetime import datetime

import click

from kasse.bootstrap import DEMO
from kasse.clock_cli import clock
from kasse.fault_cli import fault
from kasse.settings import Settings
from kasse.settlement_cli import ledger, merchant_settlement, partner


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
            f"  database           {_where(settings)}",
            "  demo sales unit (use these against the ePayment API):",
            f"    Merchant-Serial-Number     {DEMO.msn}",
            f"    client_id                  {DEMO.client_id}",
            f"    client_secret              {DEMO.client_secret}",
            f"    Ocp-Apim-Subscription-Key  {DEMO.subscription_key}",
            f"  get a token:  curl -X POST {base}/accesstoken/get -H 'client_id: {DEMO.client_id}'"
            f" -H 'client_secret: {DEMO.client_secret}' -H 'Ocp-Apim-Subscription-Key: {DEMO.subscription_key}'",
            f"  customer wallet    {base}/wallet   (test users, personal QR, scan, approve)",
            *_demo_user_lines(),
        ]
    )


def _where(settings: Settings) -> str:
    """Name the store without its password."""
    if not settings.database_url:
        return settings.database
    from urllib.parse import urlsplit

    parts = urlsplit(settings.database_url)
    return f"PostgreSQL {parts.hostname or 'local socket'}:{parts.port or 5432}{parts.path}"


def _demo_user_lines() -> list[str]:
    from datetime import date

    from kasse.domain.user import age_on
    from kasse.services.users import DEMO_USERS

    today = date.today()
    lines = ["  demo wallet users (phoneNumber for PUSH_MESSAGE):"]
    for spec in DEMO_USERS:
        assert spec.birth_date is not None and spec.name is not None
        lines.append(f"    {spec.msisdn:<14} {spec.name:<16} age {age_on(spec.birth_date, today)}")
    return lines


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=int, help="Port to listen on.")
@click.option("--db", "database", default=None, help="SQLite file (default ./var/kasse.db or $KASSE_DATABASE).")
@click.option("--public-url", default=None, help="Base URL customers' devices use to reach kasse.")
@click.option("--no-rate-limits", is_flag=True, help="Switch the per-reference rate limits off (load tests).")
@click.option("--no-worker", is_flag=True, help="Do not run the background loops in this process.")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 256),
              help="Server processes; more than one needs PostgreSQL ($KASSE_DATABASE_URL).")
def serve(
    host: str, port: int, database: str | None, public_url: str | None, no_rate_limits: bool, no_worker: bool,
    workers: int,
) -> None:
    """Start the all-in-one server: API, pages and background loops."""
    from granian import Granian
    from granian.constants import Interfaces, Loops

    settings = Settings.from_env(host=host, port=port, database=database, public_url=public_url)
    if workers > 1 and not settings.database_url:
        raise click.UsageError("--workers above 1 needs PostgreSQL: set KASSE_DATABASE_URL (SQLite has one writer)")
    if settings.database_url:  # migrate (or refuse an unknown schema) once, before the workers race to
        from kasse.adapters.sql.migrate import SchemaMismatchError
        from kasse.bootstrap import open_database

        try:
            open_database(settings, migrate=not settings.production).close()
        except SchemaMismatchError as exc:
            raise click.ClickException(str(exc)) from None
    env = {
        "KASSE_DATABASE": settings.database,
        "KASSE_PUBLIC_URL": settings.base_url,
        "KASSE_RATE_LIMITS": "0" if no_rate_limits or not settings.rate_limits else "1",
        "KASSE_RUN_WORKER": "0" if no_worker or not settings.run_worker else "1",
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
        workers=workers,
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


@main.command()
@click.option("--db", "database", default=None, help="SQLite file (default ./var/kasse.db or $KASSE_DATABASE).")
def worker(database: str | None) -> None:
    """Run only the background loops (webhook delivery, expiry), e.g. beside `kasse serve --no-worker`.

    Several workers and servers may share one database: each claims deliveries with a lease, so no
    delivery is sent by two of them at once. Stop with Ctrl-C or SIGTERM.
    """
    import asyncio
    import logging
    import signal

    from kasse.bootstrap import build
    from kasse.worker import run_background

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    container = build(Settings.from_env(database=database, seed_demo=False))

    async def run() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        click.echo(f"kasse worker: delivering webhooks and expiring payments from {container.settings.database}")
        await run_background(container, stop)

    try:
        asyncio.run(run())
    finally:
        container.db.close()


@main.command()
@click.option("--url", "base_url", default="http://127.0.0.1:8000", show_default=True, envvar="KASSE_URL",
              help="Base URL of the kasse server ($KASSE_URL).")
@click.option("--forward-to", default=None, metavar="URL",
              help="Also register a webhook for every event to URL (deleted again on exit) and print its secret.")
@click.option("--msn", default=DEMO.msn, show_default=True, help="Merchant serial number of the sales unit.")
@click.option("--client-id", default=DEMO.client_id, show_default=True, help="client_id of the sales unit.")
@click.option("--client-secret", default=DEMO.client_secret, show_default=True, help="client_secret of the sales unit.")
@click.option("--subscription-key", default=DEMO.subscription_key, show_default=True,
              help="Ocp-Apim-Subscription-Key of the sales unit.")
def listen(base_url: str, forward_to: str | None, msn: str, client_id: str, client_secret: str,
           subscription_key: str) -> None:
    """Print a sales unit's payment events live, one line each; optionally forward them as signed webhooks.

    Uses the demo sales unit unless told otherwise. Event lines go to stdout, status lines to stderr.
    """
    from kasse.listen import ListenError, ListenOptions, run

    options = ListenOptions(base_url.rstrip("/"), msn, client_id, client_secret, subscription_key, forward_to)
    try:
        run(options, echo=click.echo, warn=lambda line: click.echo(line, err=True))
    except ListenError as exc:
        raise click.ClickException(str(exc)) from None


@main.group()
def db() -> None:
    """Manage the database schema (Alembic migrations)."""


@db.command("upgrade")
@click.option("--db", "database", default=None, help="SQLite file (default ./var/kasse.db or $KASSE_DATABASE).")
@click.option("--database-url", default=None, help="PostgreSQL URL (default $KASSE_DATABASE_URL).")
def db_upgrade(database: str | None, database_url: str | None) -> None:
    """Migrate the database to the schema this kasse knows; refuse a schema newer than it knows."""
    from kasse.adapters.sql.migrate import SchemaMismatchError
    from kasse.bootstrap import schema_revisions, upgrade_schema

    settings = Settings.from_env(database=database, database_url=database_url)
    before, head = schema_revisions(settings)
    try:
        upgrade_schema(settings)
    except SchemaMismatchError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"database {_where(settings)}: schema {before or 'empty'} -> {head}")


@main.group()
def user() -> None:
    """Manage the wallet's test users (customers)."""


@user.command("create")
@click.argument("msisdn")
@click.option("--name", default=None, help="Full name; made up from the number if omitted.")
@click.option("--birth-date", default=None, metavar="YYYY-MM-DD", help="Birth date; an adult's if omitted.")
@click.option("--market", type=click.Choice(["NO", "DK", "FI"]), default=None,
              help="Market; told from the country code (47, 45, 358) if omitted.")
@click.option("--db", "database", default=None, help="SQLite file (default ./var/kasse.db or $KASSE_DATABASE).")
def user_create(msisdn: str, name: str | None, birth_date: str | None, market: str | None,
                database: str | None) -> None:
    """Create a test user with one card, and print it with its personal QR content (both formats)."""
    from datetime import date

    import orjson

    from kasse.bootstrap import build
    from kasse.domain.money import Market
    from kasse.services.users import UserError, UserSpec, create_user, personal_qr_contents

    try:
        born = date.fromisoformat(birth_date) if birth_date else None
    except ValueError:
        raise click.BadParameter("use YYYY-MM-DD", param_hint="--birth-date") from None
    spec = UserSpec(msisdn, name, born, Market(market) if market else None)
    container = build(Settings.from_env(database=database, seed_demo=False))
    try:
        created = container.db.write_sync(lambda uow: create_user(uow, container.clock, container.ids, spec))
    except UserError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        container.db.close()
    qr = personal_qr_contents(created)
    out = {"msisdn": created.msisdn, "name": created.name, "birthDate": created.birth_date.isoformat(),
           "market": created.market.value, "card": f"{created.card.brand} {created.card.masked} {created.card.expiry}",
           "personalQr": {"tokenized": qr["2.0"], "clearText": qr["1.0"]}}
    click.echo(orjson.dumps(out, option=orjson.OPT_INDENT_2).decode())


@main.group()
def pos() -> None:
    """The merchant's POS (served at /pos by `kasse serve`)."""


@pos.command("reconcile")
@click.option("--url", "base_url", default="http://127.0.0.1:8000", show_default=True, envvar="KASSE_URL",
              help="Base URL of the platform ($KASSE_URL); credentials from KASSE_POS_* or the demo sales unit.")
@click.option("--db", "database", default=None, help="kasse's SQLite file; the POS keeps its sales beside it.")
@click.option("--pos-db", default=None, help="The POS database itself (default: <db stem>-pos.db).")
@click.option("--date", "day", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="End of day: match this ledger date's captures and refunds with the settlement report.")
@click.option("--csv", "csv_file", type=click.Path(dir_okay=False, writable=True), default=None,
              help="With --date: also write every line of the end of day to this CSV file.")
def pos_reconcile(base_url: str, database: str | None, pos_db: str | None, day: datetime | None,
                  csv_file: str | None) -> None:
    """List every difference between the POS's sales and the platform; exit 1 if there is one, 2 if it cannot.

    Without --date: each sale against its ePayment payment. With --date YYYY-MM-DD: the end of day, each
    capture and refund of that ledger date against the Report API's funds report, with fees and payout.
    """
    if day is None:
        if csv_file:
            raise click.UsageError("--csv needs --date YYYY-MM-DD", ctx=click.get_current_context())
        from kasse.pos.commands import reconcile_command

        sys.exit(reconcile_command(base_url, database, pos_db, echo=click.echo))
    from kasse.pos.end_of_day_command import end_of_day_command

    sys.exit(end_of_day_command(base_url, database, pos_db, day.date(), csv_file, echo=click.echo))


@main.command()
def demo() -> None:
    """Run the four in-person scenarios against a fresh server and print each one's timeline."""
    from kasse.demo import run_demo

    sys.exit(run_demo(click.echo))


main.add_command(clock)
main.add_command(fault)
merchant.add_command(merchant_settlement)
main.add_command(ledger)
main.add_command(partner)
