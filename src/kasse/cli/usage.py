"""How the `kasse` command answers bad input: one line naming the option, exit status 2, never a traceback.

click prints a usage error as the command's usage, a hint and the error (four lines); a script reading
stderr, or a person scanning it, needs the one that matters. Environment variables are options too:
a bad `KASSE_DELIVERY_LEASE` is named like a bad `--port`.
"""

from __future__ import annotations

from typing import Any

import click


def bad_value(option: str, message: str) -> click.BadParameter:
    """Return the error for a bad value of `option` (`--db`, `KASSE_DATABASE_URL`, `MSISDN`)."""
    return click.BadParameter(message, param_hint=f"'{option}'")


def _one_line(exc: click.UsageError) -> click.UsageError:
    if isinstance(exc, click.exceptions.NoArgsIsHelpError):  # a group called bare: its help is the answer
        return exc
    said = " ".join(exc.format_message().split())
    return click.UsageError(said)  # no ctx: click then prints "Error: …" alone


class KasseGroup(click.Group):
    """The top `kasse` group: every usage error below it is printed as one line."""

    def make_context(self, info_name: str | None, args: list[str], parent: click.Context | None = None,
                     **extra: Any) -> click.Context:
        try:
            return super().make_context(info_name, args, parent, **extra)
        except click.UsageError as exc:
            raise _one_line(exc) from exc.__cause__

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.UsageError as exc:
            raise _one_line(exc) from exc.__cause__
