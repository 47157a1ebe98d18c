"""What the commands that drive a running kasse share: `--url`/`$KASSE_URL` and one conversation with /_kasse/."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, TypeVar

import click

from kasse.cli.options import url_option
from kasse.cli.usage import bad_value

if TYPE_CHECKING:  # httpx loads only when a command runs
    from kasse.adapters.control_plane import ControlPlaneError, HttpxControlPlane

__all__ = ["open_control_plane", "talk_to", "url_option"]

T = TypeVar("T")


def open_control_plane(base_url: str) -> HttpxControlPlane:
    """Return a client of the server's /_kasse/ (the one place that says how the CLI reaches it).

    A server reachable from the network asks for the operator token: it is sent from $KASSE_ADMIN_TOKEN.
    """
    from kasse.adapters.control_plane import HttpxControlPlane

    return HttpxControlPlane(base_url, token=os.environ.get("KASSE_ADMIN_TOKEN") or None)


def talk_to(base_url: str, talk: Callable[[HttpxControlPlane], T], *, not_found: str | None = None,
            options: Mapping[str, str] | None = None) -> T:
    """Run `talk` against the server's /_kasse/; its refusals become click errors.

    `not_found` replaces the message for a server without the route (production mode, or not kasse);
    `options` maps the fields the server may name (`msn`) to the command's options (`--msn`): a refusal
    naming one is bad input, one line naming the option (exit status 2), with the server's own words.
    """
    from kasse.adapters.control_plane import ControlPlaneError

    control = open_control_plane(base_url)
    try:
        return talk(control)
    except ControlPlaneError as exc:
        if exc.route_missing and not_found is not None:
            raise click.ClickException(not_found.format(url=control.base_url)) from None
        raise _refusal(exc, options or {}) from None
    finally:
        control.close()


def _refusal(exc: ControlPlaneError, options: Mapping[str, str]) -> click.ClickException:
    named = [(field, reason) for field, reason in exc.fields.items() if field in options]
    if not named or exc.status not in (400, 404, 409):
        return click.ClickException(str(exc))
    field, reason = named[0]
    # a domain refusal's detail says it best; a validation problem's detail is generic, its reason is not
    generic = exc.detail is None or exc.detail.startswith("One or more validation errors")
    return bad_value(options[field], reason if generic else str(exc.detail))
