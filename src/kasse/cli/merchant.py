"""`kasse merchant`: sales units (merchants) and their credentials, on the running server or in a store directly."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from kasse.cli.control_plane import talk_to, url_option
from kasse.cli.options import MSN, SALES_UNIT_NAME
from kasse.cli.store import build_checked, direct_options, direct_store, listed
from kasse.cli.usage import bad_value

if TYPE_CHECKING:
    from kasse.services.merchants import MerchantSpec
    from kasse.settings import Settings

# the fields the control plane and the use case may name in a refusal, and the options they come from
OPTIONS = {"msn": "--msn", "name": "--name", "market": "--market"}
DIRECT = ("With --db or --database-url, or in production mode (KASSE_MODE=production: no control plane), it "
          "works on that store directly instead; an SQLite file must exist.")


def _echo_json(data: object) -> None:
    import orjson

    click.echo(orjson.dumps(data, option=orjson.OPT_INDENT_2).decode())


@click.group()
def merchant() -> None:
    """Manage sales units (merchants) of the running server ($KASSE_URL), or of a store directly."""


def _create_directly(settings: Settings, option: str, spec: MerchantSpec) -> dict[str, Any]:
    from kasse.domain.merchant import MerchantFieldError
    from kasse.services.merchants import MerchantExistsError, create_merchant

    container = build_checked(settings, option, must_exist=True)
    try:
        created = container.db.write_sync(lambda uow: create_merchant(uow, container.clock, container.ids, spec))
    except MerchantExistsError as exc:
        raise bad_value("--msn", str(exc)) from None
    except MerchantFieldError as exc:
        raise bad_value(OPTIONS[exc.field], str(exc)) from None
    finally:
        container.db.close()
    m = created.merchant
    return {"msn": m.msn, "name": m.name, "market": m.market.value, "clientId": m.client_id,
            "clientSecret": created.client_secret, "subscriptionKey": created.subscription_keys[0]}


@merchant.command("create", epilog=DIRECT)
@click.option("--name", type=SALES_UNIT_NAME, default="kasse test shop", show_default=True,
              help="Sales unit name (1-100 characters).")
@click.option("--market", type=click.Choice(["NO", "DK", "FI"]), default="NO", show_default=True,
              help="Market, which decides the currency (NOK, DKK, EUR).")
@click.option("--msn", type=MSN, default=None, help="Merchant serial number (4-10 digits); generated if omitted.")
@click.option("--no-push", is_flag=True, help="Forbid PUSH_MESSAGE (skip landing page) for this sales unit.")
@click.option("--no-partial-capture", is_flag=True, help="Require captures of the full amount.")
@url_option
@direct_options
def merchant_create(name: str, market: str, msn: str | None, no_push: bool, no_partial_capture: bool,
                    base_url: str, database: str | None, database_url: str | None) -> None:
    """Create a sales unit on the running server and print its credentials (the secret is shown only now)."""
    direct = direct_store(database, database_url)
    if direct is not None:
        from kasse.domain.money import Market
        from kasse.services.merchants import MerchantSpec

        spec = MerchantSpec(name=name, market=Market(market), msn=msn, push_allowed=not no_push,
                            partial_capture_allowed=not no_partial_capture)
        _echo_json(_create_directly(*direct, spec))
        return
    body = {"name": name, "market": market, "msn": msn, "pushAllowed": not no_push,
            "partialCaptureAllowed": not no_partial_capture}
    made = talk_to(base_url, lambda c: c.call("POST", "/_kasse/merchants", json=body), options=OPTIONS)
    _echo_json({k: made[k] for k in ("msn", "name", "market", "clientId", "clientSecret", "subscriptionKey")})


@merchant.command("list", epilog=DIRECT.replace("works on", "reads"))
@click.option("--json", "as_json", is_flag=True, help="Print JSON (an array) instead of one line per sales unit.")
@url_option
@direct_options
def merchant_list(as_json: bool, base_url: str, database: str | None, database_url: str | None) -> None:
    """List the sales units, oldest first: MSN, name, market, client_id and what each may do (never a secret)."""
    from kasse.api.control.merchant_listing import merchant_wire

    found = listed(database, database_url, base_url, "/_kasse/merchants",
                   lambda uow: [merchant_wire(x) for x in uow.merchants.list()])
    if as_json:
        _echo_json(found)
        return
    for m in found:
        allowed = [word for word, key in (("push", "pushAllowed"), ("partial-capture", "partialCaptureAllowed"),
                                          ("long-living", "longLivingAllowed")) if m.get(key)]
        click.echo(f"{m['msn']:<10}  {m['market']}  {m['name']:<24}  {','.join(allowed) or '-':<31}  {m['clientId']}")
    if not found:
        click.echo("no sales units", err=True)
