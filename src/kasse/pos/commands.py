"""`kasse pos reconcile`: the reconciliation view on the command line."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from kasse.adapters.pos_store import SqlitePosStore
from kasse.pos.config import from_settings
from kasse.pos.reconcile import reconcile
from kasse.pos.service import new_client
from kasse.settings import Settings


def reconcile_command(base_url: str, database: str | None, pos_db: str | None, echo: Callable[[str], None]) -> int:
    config = from_settings(Settings.from_env(database=database))
    config = replace(config, base_url=base_url.rstrip("/"), database=pos_db or config.database)
    if not Path(config.database).exists():
        echo(f"no POS database at {config.database}")
        return 2

    async def run() -> int:
        store = SqlitePosStore(config.database)
        async with new_client(config) as client:
            found = await reconcile(client, store)
            count = len(store.sales())
        store.close()
        for d in found:
            echo(f"#{d.receipt_number:<6} {d.reference}  POS {d.pos_status:<9} platform {d.platform:<10} {d.problem}")
        echo(f"{count} sales compared, {len(found)} difference(s)")
        return 1 if found else 0

    return asyncio.run(run())
