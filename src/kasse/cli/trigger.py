"""`kasse trigger EVENT`: drive a fresh payment to a payment event on a running kasse, like `stripe trigger`."""

from __future__ import annotations

import click

from kasse.cli.control_plane import talk_to, url_option
from kasse.cli.options import MSN
from kasse.settings import DEMO

# services.trigger.EVENTS, spelled here so `--help` needs no import of the services
EVENTS = ("authorized", "captured", "cancelled", "refunded", "expired", "aborted", "terminated", "user.checked-in")


@click.command()
@click.argument("event", metavar="EVENT", type=click.Choice(EVENTS, case_sensitive=False))
@click.option("--msn", type=MSN, default=DEMO.msn, show_default=True, help="The sales unit whose payment it is.")
@url_option
def trigger(event: str, msn: str, base_url: str) -> None:
    """Create a fresh payment and drive it to EVENT; its webhooks fire as usual.

    EVENT: authorized, captured, cancelled, refunded, expired, aborted, terminated or user.checked-in.
    Each step goes through the use case the API or the wallet runs (create, approve, capture, ...).
    `user.checked-in` has the first test user check in at the sales unit's callback QR `kasse-trigger`.
    """
    done = talk_to(base_url, lambda c: c.call("POST", f"/_kasse/merchants/{msn}/trigger",
                                              json={"event": event.lower()}),
                   options={"msn": "--msn", "event": "EVENT"})
    click.echo(f"{done['event']} for msn {done['msn']}" + (f": payment {done['reference']}" if done["reference"]
                                                           else ""))
    for step in done["steps"]:
        state = f" -> {step['state']}" if step["state"] else ""
        click.echo(f"  {step['step']}{state}")
