"""`kasse serve` and `kasse worker`: the all-in-one server, and the background loops on their own."""

from __future__ import annotations

import os
import sys

import click

from kasse.cli.options import BASE_URL
from kasse.cli.store import (
    DB_HELP,
    build_checked,
    check_store,
    open_database_checked,
    settings_from_env,
    store_option,
)
from kasse.cli.usage import bad_value
from kasse.settings import DEMO, DEMO_SHOP, Settings, SettingsError


def _banner(settings: Settings, operator: tuple[str, bool] | None = None) -> str:
    base = settings.base_url
    lines = [
        "kasse is starting" + (" in production mode" if settings.production else ""),
        f"  API base URL       {base}",
        f"  API docs           {base}/docs",
        f"  database           {_where(settings)}",
    ]
    if operator is not None:
        lines += _operator_lines(settings, *operator)
    if settings.production:  # no demo unit, no demo users, no secret: sales units come from `kasse merchant create`
        return "\n".join([*lines, "  sales units        kasse merchant create --name NAME (credentials shown once)",
                          "  POS staff          kasse pos staff add NAME --role manager|cashier"])
    return "\n".join(
        [
            *lines,
            *_place_lines(base),
            f"  the till sells for its own sales unit: {DEMO_SHOP.name}, MSN {DEMO_SHOP.msn}",
            "  demo sales unit (use these against the ePayment API):",
            f"    Merchant-Serial-Number     {DEMO.msn}",
            f"    client_id                  {DEMO.client_id}",
            f"    client_secret              {DEMO.client_secret}",
            f"    Ocp-Apim-Subscription-Key  {DEMO.subscription_key}",
            f"  get a token:  curl -X POST {base}/accesstoken/get -H 'client_id: {DEMO.client_id}'"
            f" -H 'client_secret: {DEMO.client_secret}' -H 'Ocp-Apim-Subscription-Key: {DEMO.subscription_key}'",
            *_demo_user_lines(),
        ]
    )


def _place_lines(base: str) -> list[str]:
    """The places of the front door (`/`), one a line: the console, the till, the display, the wallet ..."""
    from kasse.console.front_door import PLACES

    return [f"  front door         {base}/   (all of these, the demo credentials, a first payment)",
            *(f"  {label.lower():<18} {base}{path}" for label, path, _ in PLACES if path != "/docs")]


def _operator_lines(settings: Settings, token: str, made_now: bool) -> list[str]:
    """Say how to get past the door of /_kasse and /console: the token itself only once, and never in production."""
    from kasse.bootstrap import OPERATOR_TOKEN_FILE

    kept = settings.beside_database(OPERATOR_TOKEN_FILE)
    where = "from $KASSE_ADMIN_TOKEN" if settings.admin_token else f"kept in {kept}"
    lines = ["  reachable from the network: the POS asks staff to sign in (kasse pos staff add),"
             f" {'/console' if settings.production else '/_kasse and /console'} the operator token"]
    if made_now and not settings.production:  # production prints no secret at all
        lines.append(f"  operator token     {token}   (shown once; {where})")
    else:
        lines.append(f"  operator token     {where}")
    return lines


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


def _operator_token(settings: Settings) -> tuple[str, bool] | None:
    """Make the operator token before the server processes start, so they all read the same one."""
    from kasse.bootstrap import operator_token

    try:
        return operator_token(settings)
    except OSError as exc:
        raise click.ClickException(f"cannot keep the operator token beside {settings.database}: {exc}") from None


def _checked_settings(host: str, port: int, database: str | None, public_url: str | None, workers: int) -> Settings:
    """Everything `serve` will use, checked before granian starts: each refusal is one line naming its option."""
    from kasse.cli.options import base_url_problem
    from kasse.pos.config import from_settings

    settings = settings_from_env(host=host, port=port, database=database, public_url=public_url)
    if workers > 1 and not settings.database_url:
        raise bad_value("--workers", "above 1 needs PostgreSQL: set KASSE_DATABASE_URL (SQLite has one writer)")
    if public_url is None and settings.public_url and (problem := base_url_problem(settings.public_url)):
        raise bad_value("KASSE_PUBLIC_URL", problem)
    for variable in ("KASSE_POS_PLATFORM_URL", "KASSE_POS_PUBLIC_URL"):  # where the POS calls, and is called
        if (value := os.environ.get(variable)) and (problem := base_url_problem(value)):
            raise bad_value(variable, problem)
    try:
        from_settings(settings)  # the POS's KASSE_POS_* settings, read again in each worker
    except SettingsError as exc:
        raise bad_value(exc.name, exc.reason) from None
    check_store(settings, store_option(settings, db=database))
    return settings


def _try_store(settings: Settings, database: str | None) -> None:
    """Open (and migrate) the store once, so a bad one is refused here rather than by each worker.

    PostgreSQL in production is migrated by `kasse db upgrade` only: this refuses a schema that is not there.
    """
    migrate = not (settings.production and settings.database_url)
    open_database_checked(settings, store_option(settings, db=database), migrate=migrate).close()


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="Port to listen on.")
@click.option("--db", "database", default=None, help=DB_HELP)
@click.option("--public-url", default=None, type=BASE_URL, help="Base URL customers' devices use to reach kasse.")
@click.option("--no-rate-limits", is_flag=True, help="Switch the per-reference rate limits off (load tests).")
@click.option("--no-worker", is_flag=True, help="Do not run the background loops in this process.")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 256),
              help="Server processes; more than one needs PostgreSQL ($KASSE_DATABASE_URL).")
def serve(
    host: str, port: int, database: str | None, public_url: str | None, no_rate_limits: bool, no_worker: bool,
    workers: int,
) -> None:
    """Start the all-in-one server: API, pages and background loops.

    It refuses to start (exit status 2) on a port another server listens on, and on a store it cannot open.
    """
    from granian.constants import Interfaces, Loops

    from kasse.cli.listening import ExclusiveGranian, bind

    settings = _checked_settings(host, port, database, public_url, workers)
    listener = bind(host, port)  # before the store: a second server on the port must not create a database
    try:
        _try_store(settings, database)
    except click.ClickException:
        listener.close()
        raise
    operator = _operator_token(settings)
    env = {
        "KASSE_DATABASE": settings.database,
        "KASSE_HOST": host,
        "KASSE_PUBLIC_URL": settings.base_url,  # bound to every address: this machine's address on its network
        "KASSE_POS_PLATFORM_URL": os.environ.get("KASSE_POS_PLATFORM_URL") or settings.local_url,  # the POS: loopback
        "KASSE_RATE_LIMITS": "0" if no_rate_limits or not settings.rate_limits else "1",
        "KASSE_RUN_WORKER": "0" if no_worker or not settings.run_worker else "1",
    }
    os.environ.update(env)
    click.echo(_banner(settings, operator))
    server = ExclusiveGranian(
        "kasse.server:create_app_from_env",
        listener=listener,
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
@click.option("--db", "database", default=None, help="The SQLite file the server uses (default ./var/kasse.db or "
                                                     "$KASSE_DATABASE); it must exist.")
def worker(database: str | None) -> None:
    """Run only the background loops (webhook delivery, expiry, wallet behaviours), e.g. beside `serve --no-worker`.

    Several workers and servers may share one database: each claims deliveries with a lease, so no
    delivery is sent by two of them at once. Stop with Ctrl-C or SIGTERM.
    """
    import asyncio
    import signal

    from kasse.server import configure_logging
    from kasse.workers import run_workers

    settings = settings_from_env(database=database, seed_demo=False)
    # a worker shares a server's store: a path that is not there is a typo, not a new database
    container = build_checked(settings, store_option(settings, db=database), must_exist=True)
    configure_logging()

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


