"""`kasse partner`: accounting partners (test mode): keys for `POST /miami/v1/token` and the ledgers granted."""

from __future__ import annotations

from typing import Any

import click

from kasse.cli.control_plane import talk_to, url_option
from kasse.cli.options import MSN
from kasse.cli.settlement_calls import echo_json, ledger_id_of, msn_option


@click.group()
def partner() -> None:
    """Accounting partners (test mode): keys for POST /miami/v1/token that read only the ledgers granted."""


@partner.command("create")
@click.option("--name", default="kasse accounting partner", show_default=True, help="The partner's name.")
@click.option("--msn", type=MSN, default=None,
              help="Also grant this sales unit's ledger at once (see `kasse partner grant`).")
@url_option
def partner_create(name: str, msn: str | None, base_url: str) -> None:
    """Create an accounting partner and print its credentials (the secret is shown only now)."""
    if not 1 <= len(name.strip()) <= 100:
        raise click.BadParameter("1 to 100 characters", param_hint="--name")

    def create(control: Any) -> Any:
        ledger_id = ledger_id_of(control, msn) if msn is not None else None  # an unknown --msn creates nothing
        created = control.call("POST", "/_kasse/partners", json={"name": name})
        if ledger_id is not None:
            control.call("POST", f"/_kasse/partners/{created['partnerId']}/grants", json={"ledgerId": ledger_id})
            created["ledgerIds"] = [ledger_id]
        return created

    echo_json(talk_to(base_url, create, options={"msn": "--msn", "name": "--name"}))


@partner.command("list")
@url_option
def partner_list(base_url: str) -> None:
    """One line per partner: id, name, client id and the ledgers it may read."""
    found = talk_to(base_url, lambda c: c.call("GET", "/_kasse/partners"))["partners"]
    for p in found:
        ledgers = ", ".join(p["ledgerIds"]) or "none"
        click.echo(f"{p['partnerId']}  {p['name']}  client id {p['clientId']}  ledgers {ledgers}")
    if not found:
        click.echo("no partners", err=True)


@partner.command("grant")
@click.argument("partner_id")
@msn_option
@url_option
def partner_grant(partner_id: str, msn: str, base_url: str) -> None:
    """Let the partner read a sales unit's ledger, as the merchant would grant it in the business portal."""

    def grant(control: Any) -> Any:
        ledger_id = ledger_id_of(control, msn)
        return control.call("POST", f"/_kasse/partners/{partner_id}/grants", json={"ledgerId": ledger_id})

    granted = talk_to(base_url, grant, options={"msn": "--msn", "partnerId": "PARTNER_ID"})
    click.echo(f"granted ledger {granted['ledgerId']} to {partner_id}")


@partner.command("revoke")
@click.argument("partner_id")
@msn_option
@url_option
def partner_revoke(partner_id: str, msn: str, base_url: str) -> None:
    """Take back the partner's access to a sales unit's ledger."""

    def revoke(control: Any) -> str:
        ledger_id = ledger_id_of(control, msn)
        control.call("DELETE", f"/_kasse/partners/{partner_id}/grants/{ledger_id}")
        return ledger_id

    # kasse names the ledger that is not granted: the partner given has no grant of that sales unit's ledger
    revoked = talk_to(base_url, revoke, options={"msn": "--msn", "ledgerId": "PARTNER_ID"})
    click.echo(f"revoked ledger {revoked} from {partner_id}")
