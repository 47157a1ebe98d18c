"""`kasse user`: the wallet's test users (customers)."""

from __future__ import annotations

import click

from kasse.settings import Settings


@click.group()
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


