"""`kasse merchant`: sales units (merchants) and their credentials."""

from __future__ import annotations

import click

from kasse.settings import Settings


@click.group()
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


