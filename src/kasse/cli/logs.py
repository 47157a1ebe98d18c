"""`kasse logs`: the request log of a running kasse, one line per request, like `stripe logs tail`."""

from __future__ import annotations

import os
import time
from typing import Any

import click

from kasse.cli.control_plane import talk_to, url_option
from kasse.cli.options import MSN

STATUS_CLASSES = ("2xx", "3xx", "4xx", "5xx")
COLOURS = {"2": "green", "3": "cyan", "4": "yellow", "5": "red"}
POLL_SECONDS = 1.0


class StatusFilter(click.ParamType[str]):
    """A status class (`4xx`) or an exact code (`200`)."""

    name = "STATUS"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        text = str(value).lower()
        if text in STATUS_CLASSES or (len(text) == 3 and text.isdigit() and text[0] in "12345"):
            return text
        self.fail(f"{value!r} is not 2xx, 3xx, 4xx, 5xx or a status code such as 200", param, ctx)


def line_of(entry: dict[str, Any]) -> str:
    """Return one request as a line: time, status, method, path, reference, latency; coloured by status."""
    status = int(entry["status"])
    shown = click.style(f"{status or '---':>3}", fg=COLOURS.get(str(status)[0], "magenta"), bold=status >= 500)
    reference = entry.get("reference") or "-"
    return (f"{entry['at']}  {shown}  {entry['method']:<6} {entry['path']}  {reference}  "
            f"{float(entry['durationMs']):.1f} ms")


def _page(base_url: str, filters: dict[str, str], after: int, limit: int) -> list[dict[str, Any]]:
    params = {**filters, "limit": str(limit)}
    if after:
        params["after"] = str(after)
    found: list[dict[str, Any]] = talk_to(base_url, lambda c: c.call("GET", "/_kasse/requests", params=params),
                                          options={"msn": "--msn", "reference": "--reference", "status": "--status"})
    return found


@click.command()
@url_option
@click.option("--follow", "-f", is_flag=True, help="Keep printing new requests as they arrive (Ctrl-C stops).")
@click.option("--msn", type=MSN, help="Only this sales unit's requests.")
@click.option("--reference", help="Only the requests about this payment.")
@click.option("--status", type=StatusFilter(), help="Only this status class (2xx, 4xx, 5xx) or code (200).")
@click.option("--limit", type=click.IntRange(1, 1000), default=50, show_default=True,
              help="How many of the newest requests to print first.")
def logs(base_url: str, follow: bool, msn: str | None, reference: str | None, status: str | None,
         limit: int) -> None:
    """Print the official APIs' requests a running kasse has logged, newest last, coloured by status.

    Each line: time (kasse's clock), status, method, path, payment reference, latency. Bodies and headers
    (secrets redacted) are at /_kasse/requests and on the console's Requests page.
    """
    colour = False if os.environ.get("NO_COLOR") else None  # None: click colours only a terminal
    filters = {k: v for k, v in (("msn", msn), ("reference", reference), ("status", status)) if v}
    # following starts at the newest request of all, so a filter that matches nothing yet still follows
    after = _newest_id(base_url) if follow else 0
    try:
        entries = _page(base_url, filters, 0, limit)
        while True:
            for entry in entries:
                click.echo(line_of(entry), color=colour)
                after = max(after, int(entry["id"]))
            if not follow:
                return
            time.sleep(POLL_SECONDS)
            entries = _page(base_url, filters, after, 1000)
    except KeyboardInterrupt:
        return


def _newest_id(base_url: str) -> int:
    newest = _page(base_url, {}, 0, 1)
    return int(newest[-1]["id"]) if newest else 0
