"""`kasse merchant settlement`, `kasse ledger` and `kasse partner`: settlement over a running kasse's control plane."""

from __future__ import annotations

from typing import Any

import click

from kasse.cli.control_plane import talk_to, url_option
from kasse.cli.options import MSN

DEMO_MSN = "123456"
# the fields the control plane may name in a refusal, and the options they come from
TERMS_OPTIONS = {"msn": "--msn", "feePercent": "--fee-percent", "feeFixed": "--fee-fixed",
                 "payoutFrequency": "--payout", "payoutDelayDays": "--payout-delay", "settlement": "--net/--gross"}


def _echo_json(data: Any) -> None:
    import orjson

    click.echo(orjson.dumps(data, option=orjson.OPT_INDENT_2).decode())


@click.command("settlement")
@click.option("--msn", type=MSN, default=DEMO_MSN, show_default=True, help="Merchant serial number of the sales unit.")
@click.option("--fee-percent", default=None, metavar="PERCENT", help="Fee percentage per capture, e.g. 1.75.")
@click.option("--fee-fixed", type=click.IntRange(min=0), default=None, metavar="MINOR",
              help="Fixed fee per capture in minor units (øre, cent), e.g. 100.")
@click.option("--net/--gross", "net", default=None,
              help="Net: fees held back from payouts (default). Gross: paid out in full, fees invoiced monthly.")
@click.option("--payout", "frequency", type=click.Choice(["daily", "weekly", "monthly"]), default=None,
              help="How often the balance is paid out.")
@click.option("--payout-delay", type=click.IntRange(min=0, max=30), default=None, metavar="DAYS",
              help="Business days from the ledger date to the bank (NO 2, DK/FI 1 by default).")
@url_option
def merchant_settlement(msn: str, fee_percent: str | None, fee_fixed: int | None, net: bool | None,
                        frequency: str | None, payout_delay: int | None, base_url: str) -> None:
    """Show a sales unit's settlement terms, or change the ones given (test mode, over --url)."""
    if fee_percent is not None:
        from kasse.domain.settlement_terms import TermsError, parse_percent

        try:
            parse_percent(fee_percent)
        except TermsError as exc:
            raise click.BadParameter(str(exc), param_hint="--fee-percent") from None
    change = {"feePercent": fee_percent, "feeFixed": fee_fixed, "payoutFrequency": frequency,
              "payoutDelayDays": payout_delay, "settlement": None if net is None else ("net" if net else "gross")}
    change = {k: v for k, v in change.items() if v is not None}
    path = f"/_kasse/merchants/{msn}/settlement"
    terms = talk_to(base_url, lambda c: c.call("PATCH", path, json=change) if change else c.call("GET", path),
                    options=TERMS_OPTIONS)
    _echo_json(terms)


@click.group()
def ledger() -> None:
    """Show the ledgers of a running kasse (test mode): balances, closed dates, payouts and entries."""


@ledger.command("list")
@url_option
def ledger_list(base_url: str) -> None:
    """One line per ledger: id, sales unit, balances, last closed date, payouts."""
    found = talk_to(base_url, lambda c: c.call("GET", "/_kasse/ledgers"))["ledgers"]
    for item in found:
        click.echo(f"{item['ledgerId']}  msn {item['msn']}  funds {item['fundsBalance']} {item['currency']}  "
                   f"fees {item['feesBalance']}  closed through {item['lastClosedDate']}  payouts {item['payouts']}")
    if not found:
        click.echo("no ledgers", err=True)


@ledger.command("entries")
@click.argument("ledger_id")
@click.option("--topic", type=click.Choice(["funds", "fees"]), default="funds", show_default=True,
              help="The ledger's account: funds (captures, refunds, payouts) or fees.")
@click.option("--date", "ledger_date", default=None, metavar="YYYY-MM-DD", help="Only this ledger date.")
@url_option
def ledger_entries(ledger_id: str, topic: str, ledger_date: str | None, base_url: str) -> None:
    """Print a ledger's entries of one topic, one per line, balances chained."""
    from datetime import date

    params = {"topic": topic, "limit": "1000"}
    if ledger_date is not None:
        try:
            date.fromisoformat(ledger_date)
        except ValueError:
            raise click.BadParameter("use YYYY-MM-DD", param_hint="--date") from None
        params["date"] = ledger_date
    found = talk_to(base_url, lambda c: c.call("GET", f"/_kasse/ledgers/{ledger_id}/entries", params=params))
    for e in found["entries"]:
        click.echo(f"{e['position']:>6}  {e['ledgerDate']}  {e['entryType']:<17} {e['amount']:>10}  "
                   f"{e['balanceBefore']:>10} -> {e['balanceAfter']:<10}  {e['pspReference']}  {e['reference'] or ''}")


@click.group()
def partner() -> None:
    """Accounting partners (test mode): keys for POST /miami/v1/token that read only the ledgers granted."""


@partner.command("create")
@click.option("--name", default="kasse accounting partner", show_default=True, help="The partner's name.")
@url_option
def partner_create(name: str, base_url: str) -> None:
    """Create an accounting partner and print its credentials (the secret is shown only now)."""
    _echo_json(talk_to(base_url, lambda c: c.call("POST", "/_kasse/partners", json={"name": name})))


@partner.command("grant")
@click.argument("partner_id")
@click.option("--msn", type=MSN, default=DEMO_MSN, show_default=True, help="The sales unit whose ledger to grant.")
@url_option
def partner_grant(partner_id: str, msn: str, base_url: str) -> None:
    """Let the partner read a sales unit's ledger, as the merchant would grant it in the business portal."""
    granted = talk_to(base_url, lambda c: c.call("POST", f"/_kasse/partners/{partner_id}/grants", json={"msn": msn}),
                      options={"msn": "--msn"})
    click.echo(f"granted ledger {granted['ledgerId']} to {partner_id}")
