"""`kasse merchant settlement`, `kasse ledger` and `kasse partner`: settlement over a running kasse's control plane."""

from __future__ import annotations

import click

from kasse.cli.control_plane import talk_to, url_option
from kasse.cli.ledger import ledger
from kasse.cli.partner import partner
from kasse.cli.settlement_calls import DEMO_MSN, echo_json, msn_option
from kasse.domain.settlement_terms import MAX_FIXED_FEE, MAX_PAYOUT_DELAY

__all__ = ["DEMO_MSN", "ledger", "merchant_settlement", "partner"]

# the fields the control plane may name in a refusal, and the options they come from
TERMS_OPTIONS = {"msn": "--msn", "feePercent": "--fee-percent", "feeFixed": "--fee-fixed",
                 "payoutFrequency": "--payout", "payoutDelayDays": "--payout-delay", "settlement": "--net/--gross"}


@click.command("settlement")
@msn_option
@click.option("--fee-percent", default=None, metavar="PERCENT", help="Fee percentage per capture, e.g. 1.75.")
@click.option("--fee-fixed", type=click.IntRange(0, MAX_FIXED_FEE), default=None, metavar="MINOR",
              help="Fixed fee per capture in minor units (øre, cent), e.g. 100.")
@click.option("--net/--gross", "net", default=None,
              help="Net: fees held back from payouts (default). Gross: paid out in full, fees invoiced monthly.")
@click.option("--payout", "frequency", type=click.Choice(["daily", "weekly", "monthly"]), default=None,
              help="How often the balance is paid out.")
@click.option("--payout-delay", type=click.IntRange(0, MAX_PAYOUT_DELAY), default=None, metavar="DAYS",
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
    echo_json(terms)
