"""What the settlement commands share: the `--msn` option, JSON output, and finding a sales unit's ledger.

Bad input is one line naming the option (exit 2), whether the command or kasse spots it: each command
passes `talk_to` the fields kasse may name in a refusal and the options they come from.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from kasse.cli.options import MSN

if TYPE_CHECKING:  # httpx loads only when a command runs
    from kasse.adapters.control_plane import HttpxControlPlane

DEMO_MSN = "123456"

msn_option = click.option("--msn", type=MSN, default=DEMO_MSN, show_default=True,
                          help="Merchant serial number of the sales unit.")


def echo_json(data: Any) -> None:
    """Print a control-plane answer as indented JSON."""
    import orjson

    click.echo(orjson.dumps(data, option=orjson.OPT_INDENT_2).decode())


def ledger_id_of(control: HttpxControlPlane, msn: str) -> str:
    """Return the ledger id of a sales unit (kasse refuses an unknown one naming `msn`)."""
    return str(control.call("GET", f"/_kasse/merchants/{msn}/settlement")["ledgerId"])
