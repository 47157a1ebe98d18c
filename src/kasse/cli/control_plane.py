"""What `kasse clock` and `kasse fault` share: the `--url` option and one conversation with the control plane."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

import click

if TYPE_CHECKING:  # httpx loads only when a command runs
    from kasse.adapters.control_plane import HttpxControlPlane

T = TypeVar("T")

url_option = click.option("--url", "base_url", default="http://127.0.0.1:8000", show_default=True,
                          envvar="KASSE_URL", help="Base URL of the kasse server ($KASSE_URL).")


def talk_to(base_url: str, talk: Callable[[HttpxControlPlane], T], *, not_found: str | None = None) -> T:
    """Run `talk` against the server's /_kasse/; its refusals become click errors (`not_found` for a 404)."""
    from kasse.adapters.control_plane import ControlPlaneError, HttpxControlPlane

    control = HttpxControlPlane(base_url)
    try:
        return talk(control)
    except ControlPlaneError as exc:
        if not_found is not None and exc.status == 404:
            raise click.ClickException(not_found.format(url=control.base_url)) from None
        raise click.ClickException(str(exc)) from None
    finally:
        control.close()
