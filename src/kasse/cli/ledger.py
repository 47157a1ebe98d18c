"""`kasse ledger`: a running kasse's ledgers (test mode): balances, payouts, entries, and test entries to write."""

from __future__ import annotations

from typing import Any

import click

from kasse.cli.control_plane import talk_to, url_option
from kasse.cli.settlement_calls import ledger_id_of, msn_option
from kasse.domain.ledger_adjustment import MAX_ADJUSTMENT

ENTRY_TYPES = ("top-up", "credit-note", "correction")


def entry_line(e: dict[str, Any]) -> str:
    """One entry: position, date, type, amount, balances, pspReference and reference."""
    return (f"{e['position']:>6}  {e['ledgerDate']}  {e['entryType']:<25} {e['amount']:>10}  "
            f"{e['balanceBefore']:>10} -> {e['balanceAfter']:<10}  {e['pspReference']}  {e['reference'] or ''}")


@click.group()
def ledger() -> None:
    """Show the ledgers of a running kasse (test mode): balances, closed dates, payouts and entries.

    Also writes the entries reconciliation code rarely meets: a disputed capture (and its return), a
    top-up, a credit note or a correction.
    """


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


@ledger.command("show")
@msn_option
@url_option
def ledger_show(msn: str, base_url: str) -> None:
    """Show a sales unit's ledger: balances, terms, and every payout with the date it reaches the bank."""

    found = talk_to(base_url, lambda c: c.call("GET", f"/_kasse/ledgers/{ledger_id_of(c, msn)}"),
                    options={"msn": "--msn"})
    t = found["terms"]
    click.echo(f"ledger {found['ledgerId']}  msn {found['msn']}  {found['currency']}  "
               f"funds {found['fundsBalance']}  fees {found['feesBalance']}  closed through {found['lastClosedDate']}")
    click.echo(f"terms: fee {t['feePercent']} % + {t['feeFixed']}, {t['settlement']} settlement, "
               f"{t['payoutFrequency']} payouts, {t['payoutDelayDays']} business day(s) to the bank")
    for p in found["payoutList"]:
        aborted = "  ABORTED" if p["aborted"] else ""
        click.echo(f"payout {p['pspReference']}  {p['amount']} {p['currency']}  ledger date {p['ledgerDate']}  "
                   f"bank {p['bankDate']}  {p['reference']}{aborted}")


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
    found = talk_to(base_url, lambda c: c.call("GET", f"/_kasse/ledgers/{ledger_id}/entries", params=params),
                    options={"ledgerId": "LEDGER_ID", "date": "--date", "topic": "--topic"})
    for e in found["entries"]:
        click.echo(entry_line(e))


@ledger.command("close")
@url_option
def ledger_close(base_url: str) -> None:
    """Close every ledger date whose midnight has passed on kasse's clock now (the server does it within 1 s)."""
    closed = talk_to(base_url, lambda c: c.call("POST", "/_kasse/ledgers/close"))["closedLedgerDates"]
    for item in closed:
        click.echo(f"closed ledger date {item['ledgerDate']} for {item['ledgers']} ledger(s)")
    if not closed:
        click.echo("nothing to close", err=True)


@ledger.command("dispute")
@click.argument("psp_reference")
@click.option("--amount", type=click.IntRange(1, MAX_ADJUSTMENT), default=None, metavar="MINOR",
              help="Hold back only this much (minor units); default: the whole capture.")
@click.option("--won", is_flag=True, help="The merchant won: give back what the dispute holds.")
@msn_option
@url_option
def ledger_dispute(psp_reference: str, amount: int | None, won: bool, msn: str, base_url: str) -> None:
    """Dispute the capture PSP_REFERENCE (its pspReference on the funds report), or with --won give it back.

    Writes `retained-disputed-capture` (or `returned-disputed-capture`) with the capture's ids on the
    ledger's open date.
    """
    if won and amount is not None:
        raise click.UsageError("--amount is for opening a dispute; --won gives back what it holds")

    def write(control: Any) -> Any:
        ledger_id = ledger_id_of(control, msn)
        if won:
            return control.call("POST", f"/_kasse/ledgers/{ledger_id}/disputes/{psp_reference}/return")
        body: dict[str, Any] = {"pspReference": psp_reference, **({"amount": amount} if amount else {})}
        return control.call("POST", f"/_kasse/ledgers/{ledger_id}/disputes", json=body)

    click.echo(entry_line(talk_to(base_url, write, options={"msn": "--msn", "pspReference": "PSP_REFERENCE",
                                                            "amount": "--amount"})))


@ledger.command("adjust")
@click.argument("entry_type", type=click.Choice(ENTRY_TYPES), metavar="ENTRY_TYPE")
@click.option("--amount", type=click.IntRange(-MAX_ADJUSTMENT, MAX_ADJUSTMENT), default=None, metavar="MINOR",
              help="Signed amount in minor units; a top-up without one covers a negative funds balance.")
@click.option("--topic", type=click.Choice(["funds", "fees"]), default="funds", show_default=True,
              help="The topic to write on (a top-up goes on funds).")
@click.option("--reference", default=None, help="A reference for the entry, e.g. an invoice number (1-64 chars).")
@msn_option
@url_option
def ledger_adjust(entry_type: str, amount: int | None, topic: str, reference: str | None, msn: str,
                  base_url: str) -> None:
    """Write an ENTRY_TYPE entry (top-up, credit-note or correction) on the sales unit's ledger now."""
    if amount == 0 or (entry_type == "top-up" and amount is not None and amount < 0):
        raise click.BadParameter("must not be 0 (and a top-up puts money in: above 0)", param_hint="--amount")
    if entry_type == "top-up" and topic == "fees":
        raise click.BadParameter("a top-up is written on funds", param_hint="--topic")
    if reference is not None and not 1 <= len(reference) <= 64:
        raise click.BadParameter("1 to 64 characters", param_hint="--reference")
    body: dict[str, Any] = {"entryType": entry_type, "topic": topic}
    body.update({k: v for k, v in (("amount", amount), ("reference", reference)) if v is not None})

    def write(control: Any) -> Any:
        return control.call("POST", f"/_kasse/ledgers/{ledger_id_of(control, msn)}/adjustments", json=body)

    options = {"msn": "--msn", "amount": "--amount", "topic": "--topic", "reference": "--reference",
               "entryType": "ENTRY_TYPE"}
    click.echo(entry_line(talk_to(base_url, write, options=options)))
