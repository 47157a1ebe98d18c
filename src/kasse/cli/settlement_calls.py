"""What the settlement commands share: checked options, and control-plane refusals turned into usage errors.

Bad input is a usage error (exit 2) naming the option, whether kasse or the command spots it: an unknown
sales unit, ledger, partner or capture is the value given being wrong, not the server failing.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:  # httpx loads only when a command runs
    from kasse.adapters.control_plane import HttpxControlPlane

DEMO_MSN = "123456"
_MSN = re.compile(r"^[0-9]{4,10}$")


def check_msn(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """Click callback: a Merchant Serial Number is 4 to 10 digits."""
    if value is not None and not _MSN.match(value):
        raise click.BadParameter("a Merchant Serial Number is 4 to 10 digits, e.g. 123456")
    return value


msn_option = click.option("--msn", default=DEMO_MSN, show_default=True, callback=check_msn,
                          help="Merchant serial number of the sales unit.")


def echo_json(data: Any) -> None:
    """Print a control-plane answer as indented JSON."""
    import orjson

    click.echo(orjson.dumps(data, option=orjson.OPT_INDENT_2).decode())


def call(control: HttpxControlPlane, method: str, path: str, *, hint: str, json: Any = None,
         params: dict[str, str] | None = None) -> Any:
    """Send one control-plane request; its refusal of the values given (400, 404, 409) is a usage error on `hint`."""
    from kasse.adapters.control_plane import ControlPlaneError

    try:
        return control.call(method, path, json=json, params=params)
    except ControlPlaneError as exc:
        said = str(exc)
        if exc.status in (400, 404, 409) and said.startswith("kasse refused"):
            detail = said.split("): ", 1)[-1].split("; ", 1)[0]  # the problem's detail, without its field list
            raise click.BadParameter(detail, param_hint=hint) from None
        raise


def ledger_id_of(control: HttpxControlPlane, msn: str) -> str:
    """Return the ledger id of a sales unit; an unknown one is a usage error on --msn."""
    terms = call(control, "GET", f"/_kasse/merchants/{msn}/settlement", hint="--msn")
    return str(terms["ledgerId"])
