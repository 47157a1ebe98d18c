"""`kasse pos reconcile --date D [--csv FILE]`: the end of day on the command line.

Exit status: 0 when the POS and the report agree, 1 when they differ, 2 when it could not be made (the
platform unreachable, the date not closed yet, no POS database).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from pathlib import Path

from kasse.pos.cart import kr
from kasse.pos.config import NO_SALES_UNIT, from_settings
from kasse.pos.end_of_day import EndOfDay, EndOfDayError, end_of_day
from kasse.pos.end_of_day_export import day_lines, write_csv
from kasse.pos.ledger_reports import SdkLedgerReports
from kasse.pos.service import new_client
from kasse.pos.store import SqlitePosStore
from kasse.settings import Settings


def summary(eod: EndOfDay) -> list[str]:
    """The date's figures and its differences, one line each."""
    t = eod.totals
    out = [f"End of day {eod.day.isoformat()}, ledger {eod.ledger.ledger_id} ({eod.ledger.currency})"]
    for line in day_lines(eod):
        if line.is_difference:
            pos = kr(line.movement.signed_amount) if line.movement else "-"
            report = kr(line.entry.amount) if line.entry else "-"
            receipt = f"#{line.receipt_number}" if line.receipt_number else "-"
            out.append(f"  {line.detail:<30} {line.entry_type:<10} {receipt:<7} {line.reference}  "
                       f"psp {line.psp_reference or '-'}  POS {pos}  report {report}")
    payout = ", ".join(p.psp_reference for p in t.payouts) or "none scheduled"
    out.append(f"Captured {kr(t.captured)} · refunded {kr(t.refunded)} · fees {kr(t.capture_fees)} "
               f"(retained {kr(t.fees_retained)})")
    out.append(f"Payout {kr(t.payout)} ({payout}) · expected from the POS's sales {kr(t.expected_payout)}")
    out.append(f"{len(eod.match.matched)} matched, {eod.difference_count} difference(s)")
    return out


def end_of_day_command(base_url: str, database: str | None, pos_db: str | None, day: date, csv_file: str | None,
                       echo: Callable[[str], None]) -> int:
    config = from_settings(Settings.from_env(database=database))
    if config is None:
        echo(NO_SALES_UNIT)
        return 2
    config = replace(config, base_url=base_url.rstrip("/"), database=pos_db or config.database)
    if not Path(config.database).exists():
        echo(f"no POS database at {config.database}")
        return 2

    async def run() -> EndOfDay:
        store = SqlitePosStore(config.database)
        try:
            async with new_client(config) as client:
                return await end_of_day(SdkLedgerReports(client, config.msn), client, store, day, config.base_url)
        finally:
            store.close()

    try:
        eod = asyncio.run(run())
    except EndOfDayError as err:
        echo(str(err))
        return 2
    for line in summary(eod):
        echo(line)
    if csv_file:
        try:
            with open(csv_file, "w", newline="", encoding="utf-8") as out:
                write_csv(eod, out)
        except OSError as err:
            echo(f"cannot write --csv {csv_file}: {err.strerror or err}")
            return 2
        echo(f"CSV written to {csv_file}")
    return 1 if eod.difference_count else 0
