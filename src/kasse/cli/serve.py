"""`kasse serve` and `kasse worker`: the all-in-one server, and the background loops on their own."""

from __future__ import annotations

import os
import sys

import click

from kasse.settings import DEMO, Settings


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


@click.command()
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
        "kasse.server:create_app_from_env",
        factory=True,
        address=host,
        port=port,
        interface=Interfaces.ASGI,
        loop=Loops.uvloop if sys.platform != "win32" else Loops.auto,
        workers=workers,
        log_access=False,
    )
    server.serve()


@click.command()
@click.option("--db", "database", default=None, help="SQLite file (default ./var/kasse.db or $KASSE_DATABASE).")
def worker(database: str | None) -> None:
    """Run only the background loops (webhook delivery, expiry, wallet behaviours), e.g. beside `serve --no-worker`.

    Several workers and servers may share one database: each claims deliveries with a lease, so no
    delivery is sent by two of them at once. Stop with Ctrl-C or SIGTERM.
    """
    import asyncio
    import logging
    import signal

    from kasse.bootstrap import build
    from kasse.workers import run_workers

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    container = build(Settings.from_env(database=database, seed_demo=False))

    async def run() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        click.echo("kasse worker: delivering webhooks, expiring payments and running wallet behaviours from"
                   f" {container.settings.database}")
        await run_workers(container, stop)

    try:
        asyncio.run(run())
    finally:
        container.db.close()


