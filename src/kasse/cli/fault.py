"""`kasse fault`: arm, list and disarm a running kasse's test faults over its control plane (docs/faults.md)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import click

from kasse.cli.control_plane import talk_to, url_option
from kasse.cli.options import MSN
from kasse.cli.usage import bad_value
from kasse.domain.faults import Endpoint, FaultKind, FaultSpecError, check_spec
from kasse.settings import DEMO

if TYPE_CHECKING:  # httpx loads only when a command runs
    from kasse.adapters.control_plane import HttpxControlPlane

PRODUCTION = "faults are not available: the server at {url} runs in production mode (or is not kasse)"
# the fields /_kasse/faults may name in a refusal, and the options they come from
OPTIONS = {"msn": "--msn", "kind": "KIND", "endpoint": "--endpoint", "times": "--times", "delaySeconds": "--delay"}


def _call(base_url: str, talk: Callable[[HttpxControlPlane], Any]) -> Any:
    return talk_to(base_url, talk, not_found=PRODUCTION, options=OPTIONS)


def _check(kind: FaultKind, endpoint: str | None, times: int | None, delay_seconds: float | None) -> None:
    """Refuse here, naming the option, what the server would refuse (the rules of `domain.faults`)."""
    if kind is FaultKind.WEBHOOK_DELAY and delay_seconds is None:
        raise click.MissingParameter("webhook.delay holds each delivery back this many seconds of kasse's clock",
                                     param_hint="'--delay'", param_type="option")
    try:
        check_spec(kind, Endpoint(endpoint) if endpoint else None, times, delay_seconds)
    except FaultSpecError as exc:
        raise bad_value(OPTIONS.get(exc.field, exc.field), str(exc)) from None


def describe(fault: dict[str, Any]) -> str:
    """One line per fault: id, kind, sales unit, scope and how many firings are left."""
    parts = [fault["id"], fault["kind"], f"msn {fault['msn']}"]
    if fault.get("endpoint"):
        parts.append(f"endpoint {fault['endpoint']}")
    if fault.get("delaySeconds") is not None:
        parts.append(f"delay {fault['delaySeconds']:g} s")
    remaining = fault.get("remaining")
    parts.append("until disarmed" if remaining is None else f"{remaining} more time(s)")
    parts.append(f"armed {fault['armedAt']}")
    return "  ".join(parts)


@click.group()
def fault() -> None:
    """Arm faults against one sales unit (test mode) to see a POS survive them.

    webhook.* faults act on webhook deliveries to the sales unit's registrations; api.* faults on its
    ePayment API calls; report.* faults on its ledger (Report API reads and the closing of dates).
    A fault fires until disarmed, or --times times. None exist in production mode.
    """


@fault.command("arm", epilog="KIND is one of: " + ", ".join(k.value for k in FaultKind) + ".")
@click.argument("kind", metavar="KIND", type=click.Choice([k.value for k in FaultKind]))
@click.option("--msn", type=MSN, default=DEMO.msn, show_default=True, help="Merchant serial number of the sales unit.")
@click.option("--endpoint", type=click.Choice([e.value for e in Endpoint]), default=None,
              help="api.* only: the ePayment operation to fail (default: any of them).")
@click.option("--times", type=click.IntRange(min=1), default=None,
              help="Fire this many times, then disarm (default: until disarmed).")
@click.option("--delay", "delay_seconds", type=click.FloatRange(min=0, min_open=True), default=None,
              help="webhook.delay: seconds of kasse's clock to hold each delivery back; report.lag: how late "
                   "Report API entries appear; report.slow-closing: real seconds a closing is held (default 60).")
@url_option
def fault_arm(kind: str, msn: str, endpoint: str | None, times: int | None, delay_seconds: float | None,
              base_url: str) -> None:
    """Arm a fault of KIND for a sales unit and print its id."""
    _check(FaultKind(kind), endpoint, times, delay_seconds)
    body = {"msn": msn, "kind": kind, "endpoint": endpoint, "times": times, "delaySeconds": delay_seconds}
    armed = _call(base_url, lambda c: c.call("POST", "/_kasse/faults", json=body))
    click.echo(f"armed {describe(armed)}")


@fault.command("list")
@click.option("--msn", type=MSN, default=None, help="Only this sales unit's faults (default: all).")
@url_option
def fault_list(msn: str | None, base_url: str) -> None:
    """List the armed faults, oldest first, one per line."""
    params = {"msn": msn} if msn else None
    found = _call(base_url, lambda c: c.call("GET", "/_kasse/faults", params=params))["faults"]
    for armed in found:
        click.echo(describe(armed))
    if not found:
        click.echo("no faults armed", err=True)


@fault.command("disarm")
@click.argument("fault_id", metavar="ID", required=False)
@click.option("--all", "everything", is_flag=True, help="Disarm every fault (of --msn, if given).")
@click.option("--msn", type=MSN, default=None, help="With --all: only this sales unit's faults.")
@url_option
def fault_disarm(fault_id: str | None, everything: bool, msn: str | None, base_url: str) -> None:
    """Disarm one fault by ID, or every fault with --all (of one sales unit with --msn)."""
    if (fault_id is None) == (not everything) or (msn and not everything):
        raise click.UsageError("give either a fault ID or --all (optionally with --msn)")

    def disarm(control: HttpxControlPlane) -> int:
        armed = control.call("GET", "/_kasse/faults", params={"msn": msn} if msn else None)["faults"]
        if fault_id is None:
            control.call("DELETE", "/_kasse/faults", params={"msn": msn} if msn else None)
            return len(armed)
        if all(f["id"] != fault_id for f in armed):
            raise click.ClickException(f"no fault {fault_id} is armed (used up or disarmed already?)")
        control.call("DELETE", f"/_kasse/faults/{fault_id}")
        return 1

    gone = _call(base_url, disarm)
    click.echo(f"disarmed {fault_id}" if fault_id else f"disarmed {gone} fault(s)")
