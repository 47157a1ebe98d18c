"""The `kasse` command: one module per command group, registered here."""

from __future__ import annotations

import click

from kasse.cli.clock import clock
from kasse.cli.db import db
from kasse.cli.demo import demo
from kasse.cli.fault import fault
from kasse.cli.listen import listen
from kasse.cli.logs import logs
from kasse.cli.merchant import merchant
from kasse.cli.pos import pos
from kasse.cli.serve import serve, worker
from kasse.cli.settlement import ledger, merchant_settlement, partner
from kasse.cli.trigger import trigger
from kasse.cli.usage import KasseGroup
from kasse.cli.user import user

__all__ = ["main"]


@click.group(cls=KasseGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="kasse")
def main() -> None:
    """kasse: a self-hostable in-person mobile payment platform, wire-compatible with Vipps MobilePay."""


for command in (serve, worker, merchant, user, db, listen, logs, trigger, pos, demo, clock, fault, ledger,
                partner):
    main.add_command(command)
merchant.add_command(merchant_settlement)
