"""`kasse listen`: print a sales unit's payment events as they happen, and optionally forward webhooks.

Events come from the server's live stream (`GET /_kasse/events/stream`), so they show up without
any registration. With `--forward-to URL`, a webhook for every event type is registered through the
public Webhooks API (the SDK); kasse then delivers signed webhooks to URL exactly as it would to a
POS. The registration is deleted again on Ctrl-C or SIGTERM.
"""

from __future__ import annotations

import signal
import time
from collections.abc import Callable
from dataclasses import dataclass
from types import FrameType
from typing import TYPE_CHECKING, Any

import click

from kasse.cli.options import MSN, WebhookUrl, url_option
from kasse.domain.money import Currency, Money, format_major
from kasse.domain.webhook_registration import CHECKED_IN, EVENT_TYPES, PAYMENT_EVENTS
from kasse.settings import DEMO

if TYPE_CHECKING:  # httpx and the SDK load only when the command runs
    from kasse.adapters.event_stream_client import HttpxEventStream
    from kasse.cli.forwards import ForwardReport
    from kasse.sdk import Client

Echo = Callable[[str], None]
RECONNECT_PAUSE = 1.0  # seconds between attempts to reconnect a broken stream


@dataclass(frozen=True)
class ListenOptions:
    """Where kasse runs, whose events to show, and where to forward webhooks (if anywhere)."""

    base_url: str
    msn: str
    client_id: str
    client_secret: str
    subscription_key: str
    forward_to: str | None = None


class ListenError(Exception):
    """Something the user must fix: kasse unreachable, wrong credentials, a refused forward URL."""


def format_event(event: dict[str, Any]) -> str:
    """Return one readable line: time, reference, event name, amount and pspReference."""
    amount = event.get("amount") or {}
    try:
        shown = format_major(Money(int(amount["value"]), Currency(amount["currency"])))
    except (KeyError, ValueError, TypeError):
        shown = f"{amount.get('value')} {amount.get('currency')}"
    failed = "" if event.get("success", True) else "  FAILED"
    return (f"{event.get('timestamp')}  {event.get('reference')}  {event.get('name', ''):<10}  {shown:>14}"
            f"  psp {event.get('pspReference')}{failed}")


def _sdk(options: ListenOptions) -> Client:
    from kasse.sdk import Client

    return Client(client_id=options.client_id, client_secret=options.client_secret,
                  subscription_key=options.subscription_key, merchant_serial_number=options.msn,
                  base_url=options.base_url, system_name="kasse-listen", timeout=10.0)


def register_forward(client: Client, url: str, warn: Echo) -> tuple[str, str]:
    """Register a webhook for every event to `url`; return its id and secret.

    A sales unit may hold only one `user.checked-in.v1` registration; if it has one already, the
    forward covers the payment events only.

    Raises:
        ListenError: the registration was refused.
    """
    from kasse.sdk import BadRequestError, KasseError

    try:
        try:
            hook = client.webhooks.register(url, EVENT_TYPES)
        except BadRequestError as exc:
            if not any(CHECKED_IN in d.reason for d in exc.extra_details):
                raise
            warn(f"note: {CHECKED_IN} is already registered for this sales unit; forwarding payment events only")
            hook = client.webhooks.register(url, PAYMENT_EVENTS)
    except KasseError as exc:
        raise ListenError(f"could not register a webhook to {url}: {exc}") from None
    return hook.id, hook.secret


def follow(stream: HttpxEventStream, echo: Echo, warn: Echo, ready: str = "") -> None:
    """Print events until interrupted; reconnect (missing nothing) whenever the stream ends or breaks.

    `ready` is said once the first stream is open, not before: every event made after it is shown.

    Raises:
        ListenError: kasse cannot be reached at all, or refuses the stream.
    """
    from kasse.adapters.event_stream_client import EventStreamError

    after: int | None = None
    connected = False
    while True:
        try:
            for position, event in stream.events(after, None if connected or not ready else lambda: warn(ready)):
                after = position
                echo(format_event(event))
            connected = True  # the server ends each stream after 25 s (or when it stops); resume at once
            continue
        except EventStreamError as exc:
            if exc.reached:
                raise ListenError(f"kasse at {stream.base_url}: {exc}") from None
            if not connected:
                raise ListenError(f"cannot reach kasse at {stream.base_url}: {exc}") from None
            warn(f"stream interrupted ({exc}); reconnecting")
        time.sleep(RECONNECT_PAUSE)


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def run(options: ListenOptions, echo: Echo, warn: Echo) -> None:
    """Run a listen session until Ctrl-C or SIGTERM, deleting the forwarding registration on the way out.

    Raises:
        ListenError: kasse is unreachable, the credentials are wrong, or the forward URL is refused.
    """
    from kasse.adapters.event_stream_client import HttpxEventStream, SalesUnit
    from kasse.cli.forwards import ForwardReport

    # both clean up; SIGINT explicitly too, since a shell starting us in the background ignores it
    previous = {sig: signal.signal(sig, _interrupt) for sig in (signal.SIGINT, signal.SIGTERM)}
    stream = HttpxEventStream(options.base_url, SalesUnit(options.msn, options.client_id, options.client_secret,
                                                          options.subscription_key))
    webhook_id: str | None = None
    report: ForwardReport | None = None
    with _sdk(options) as client:
        try:
            if options.forward_to:
                webhook_id, secret = register_forward(client, options.forward_to, warn)
                warn(f"forwarding every event to {options.forward_to} (webhook {webhook_id})")
                warn(f"webhook secret (shown once): {secret}")
                report = ForwardReport(options.base_url, options.msn, webhook_id, echo, warn).start()
            follow(stream, echo, warn,
                   ready=f"listening for events of MSN {options.msn} on {options.base_url} (Ctrl-C to stop)")
        except KeyboardInterrupt:
            pass
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            stream.close()
            if report is not None:
                report.stop()
            if webhook_id is not None:
                _unregister(client, webhook_id, warn)


def _unregister(client: Client, webhook_id: str, warn: Echo) -> None:
    from kasse.sdk import KasseError

    try:
        client.webhooks.delete(webhook_id)
    except KasseError as exc:  # we are exiting anyway: say so, do not fail
        warn(f"could not delete webhook {webhook_id}: {exc}")
    else:
        warn(f"deleted webhook {webhook_id}")


@click.command()
@url_option
@click.option("--forward-to", type=WebhookUrl(), default=None, metavar="URL",
              help="Also register a webhook for every event to URL (deleted again on exit), print its secret, and "
                   "print what each delivery there got back: [200] 12 ms.")
@click.option("--msn", type=MSN, default=DEMO.msn, show_default=True, help="Merchant serial number of the sales unit.")
@click.option("--client-id", default=DEMO.client_id, show_default=True, help="client_id of the sales unit.")
@click.option("--client-secret", default=DEMO.client_secret, show_default=True, help="client_secret of the sales unit.")
@click.option("--subscription-key", default=DEMO.subscription_key, show_default=True,
              help="Ocp-Apim-Subscription-Key of the sales unit.")
def listen(base_url: str, forward_to: str | None, msn: str, client_id: str, client_secret: str,
           subscription_key: str) -> None:
    """Print a sales unit's payment events live, one line each; optionally forward them as signed webhooks.

    Uses the demo sales unit unless told otherwise. Event lines go to stdout, status lines to stderr.
    """
    options = ListenOptions(base_url.rstrip("/"), msn, client_id, client_secret, subscription_key, forward_to)
    try:
        run(options, echo=click.echo, warn=lambda line: click.echo(line, err=True))
    except ListenError as exc:
        raise click.ClickException(str(exc)) from None


