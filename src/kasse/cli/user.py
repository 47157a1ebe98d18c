"""`kasse user`: the wallet's test users (customers), on the running server or in a store directly."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

import click

from kasse.cli.control_plane import talk_to, url_option
from kasse.cli.options import MSISDN, USER_NAME
from kasse.cli.store import build_checked, direct_options, direct_store, listed
from kasse.cli.usage import bad_value

if TYPE_CHECKING:
    from kasse.services.users import UserSpec
    from kasse.settings import Settings

# the fields the control plane and the use case may name in a refusal, and the options they come from
OPTIONS = {"msisdn": "MSISDN", "name": "--name", "birthDate": "--birth-date", "market": "--market"}
DIRECT = ("With --db or --database-url it works on that store directly instead of the server; an SQLite file "
          "must exist.")


def _echo_json(data: object) -> None:
    import orjson

    click.echo(orjson.dumps(data, option=orjson.OPT_INDENT_2).decode())


def _birth_date(ctx: click.Context, param: click.Parameter, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"use YYYY-MM-DD, not {value[:20]!r}", ctx, param) from None


@click.group()
def user() -> None:
    """Manage the wallet's test users (customers) of the running server ($KASSE_URL), or of a store directly."""


def _create_directly(settings: Settings, option: str, spec: UserSpec) -> dict[str, Any]:
    from kasse.api.control.users import user_wire
    from kasse.services.users import UserError, create_user

    container = build_checked(settings, option, must_exist=True)
    try:
        created = container.db.write_sync(lambda uow: create_user(uow, container.clock, container.ids, spec))
    except UserError as exc:
        raise bad_value(OPTIONS.get(exc.field, "MSISDN"), str(exc)) from None
    finally:
        container.db.close()
    return user_wire(created)


def _shown(wire: dict[str, Any]) -> dict[str, Any]:
    card = wire["card"]
    return {"msisdn": wire["msisdn"], "name": wire["name"], "birthDate": wire["birthDate"], "market": wire["market"],
            "card": f"{card['brand']} {card['maskedNumber']} {card['expiry']}", "personalQr": wire["personalQr"]}


@user.command("create", epilog=DIRECT)
@click.argument("msisdn", type=MSISDN)
@click.option("--name", type=USER_NAME, default=None, help="Full name (1-100 characters); made up if omitted.")
@click.option("--birth-date", callback=_birth_date, default=None, metavar="YYYY-MM-DD",
              help="Birth date, not after today on kasse's clock; an adult's if omitted.")
@click.option("--market", type=click.Choice(["NO", "DK", "FI"]), default=None,
              help="Market; told from the country code (47, 45, 358) if omitted.")
@url_option
@direct_options
def user_create(msisdn: str, name: str | None, birth_date: date | None, market: str | None, base_url: str,
                database: str | None, database_url: str | None) -> None:
    """Create a test user with one card on the running server, and print it with its personal QR content."""
    direct = direct_store(database, database_url)
    if direct is not None:
        from kasse.domain.money import Market
        from kasse.services.users import UserSpec

        spec = UserSpec(msisdn, name, birth_date, Market(market) if market else None)
        _echo_json(_shown(_create_directly(*direct, spec)))
        return
    body: dict[str, Any] = {"msisdn": msisdn, "name": name, "market": market,
                            "birthDate": birth_date.isoformat() if birth_date else None}
    made = talk_to(base_url, lambda c: c.call("POST", "/_kasse/users",
                                              json={k: v for k, v in body.items() if v is not None}),
                   options=OPTIONS)
    _echo_json(_shown(made))


@user.command("list", epilog=DIRECT.replace("works on", "reads"))
@click.option("--json", "as_json", is_flag=True, help="Print JSON (an array) instead of one line per user.")
@url_option
@direct_options
def user_list(as_json: bool, base_url: str, database: str | None, database_url: str | None) -> None:
    """List the test users: phone number, name, market, birth date and how their wallet answers."""
    from kasse.api.control.users import user_wire

    found = listed(database, database_url, base_url, "/_kasse/users",
                   lambda uow: [user_wire(x) for x in uow.users.list()])
    if as_json:
        _echo_json(found)
        return
    for u in found:
        behaviour = u["behaviour"]["behaviour"]
        click.echo(f"{u['msisdn']:<15}  {u['name']:<24}  {u['market']}  born {u['birthDate']}  {behaviour}")
    if not found:
        click.echo("no test users", err=True)
