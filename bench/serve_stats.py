"""`kasse serve`, plus the SQLite writer's batch statistics in a JSON file (bench only).

Usage: python bench/serve_stats.py STATS_JSON serve --port P --db PATH --no-rate-limits

Runs exactly `kasse serve` (the same click command `python -m kasse serve` runs) after wrapping
`SqliteDatabase._commit_batch` to count batches, jobs, and the writer thread's busy time split into
time inside the jobs (SQL of the use cases) and the rest (BEGIN, savepoints, COMMIT with its fsync,
resolving futures, waiting for the GIL), a histogram of commit durations, and the worker's
garbage-collector pauses. granian forks its worker, so the wrappers are inherited; a daemon thread
in the worker rewrites STATS_JSON every 100 ms. If kasse's writer changes shape the hook steps
aside and the server runs unmeasured.

Experiment knobs (what-ifs for the lead, not kasse behaviour), from the environment:
  KASSE_BENCH_SWITCH_INTERVAL=S  run the server with `sys.setswitchinterval(S)` (default 0.005): how much do
                                 GIL hand-offs between the event loop and the writer thread cost?
  KASSE_BENCH_GC_FREEZE=1        `gc.freeze()` in the worker 2 s after the database opens (app built), so full
                                 collections stop re-scanning the ~110k objects of the imported libraries.
"""

from __future__ import annotations

import gc
import json
import os
import sys
import threading
import time
from typing import Any

DUMP_EVERY = 0.1
COMMIT_MS_EDGES = (1, 2, 5, 10, 20, 50, 100)


def _size_bucket(n: int) -> str:
    low = 1 << (n.bit_length() - 1)
    return str(low) if low == 1 else f"{low}-{2 * low - 1}"


def _ms_bucket(ms: float) -> str:
    return next((f"<{edge:g}" for edge in COMMIT_MS_EDGES if ms < edge), f">={COMMIT_MS_EDGES[-1]:g}")


def _bump(counter: dict[str, int], key: str) -> None:
    counter[key] = counter.get(key, 0) + 1


class WriterStats:
    def __init__(self, path: str) -> None:
        self.path = path
        self.stats: dict[str, Any] = {
            "batches": 0, "jobs": 0, "busy_s": 0.0, "jobs_s": 0.0, "max_batch": 0, "hist": {},
            "commit_ms_hist": {}, "writer_tid": None, "pid": None,
            "gc": {"collections": 0, "pause_s": 0.0, "max_pause_ms": 0.0, "gen2": 0},
        }
        self._job_time = 0.0
        self._gc_started = 0.0

    def timed_fn(self, fn: Any) -> Any:
        def run(uow: Any) -> Any:
            t0 = time.perf_counter()
            try:
                return fn(uow)
            finally:
                self._job_time += time.perf_counter() - t0
        return run

    def committed(self, n: int, seconds: float) -> None:
        s = self.stats
        if s["writer_tid"] is None:
            s["writer_tid"] = threading.get_native_id()
        s["busy_s"] += seconds
        s["jobs_s"] += self._job_time
        self._job_time = 0.0
        s["batches"] += 1
        s["jobs"] += n
        s["max_batch"] = max(s["max_batch"], n)
        _bump(s["hist"], _size_bucket(n))
        _bump(s["commit_ms_hist"], _ms_bucket(seconds * 1000))

    def on_gc(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._gc_started = time.perf_counter()
            return
        pause = time.perf_counter() - self._gc_started
        g = self.stats["gc"]
        g["collections"] += 1
        g["gen2"] += info.get("generation") == 2
        g["pause_s"] += pause
        g["max_pause_ms"] = max(g["max_pause_ms"], pause * 1000)

    def dump_forever(self) -> None:
        tmp = f"{self.path}.{os.getpid()}.tmp"
        while True:
            s = self.stats
            snap = {**s, "hist": dict(s["hist"]), "commit_ms_hist": dict(s["commit_ms_hist"]), "gc": dict(s["gc"]),
                    "pid": os.getpid(), "at": time.time()}
            with open(tmp, "w") as f:
                json.dump(snap, f)
            os.replace(tmp, self.path)
            time.sleep(DUMP_EVERY)


def install(path: str) -> bool:
    try:
        from kasse.adapters.sqlite import database
    except ImportError:
        return False
    cls: Any = getattr(database, "SqliteDatabase", None)
    commit, opener = getattr(cls, "_commit_batch", None), getattr(cls, "open", None)
    if commit is None or opener is None:
        print("serve_stats: SqliteDatabase._commit_batch/open not found; writer stats disabled", file=sys.stderr)
        return False
    ws = WriterStats(path)

    def commit_batch(self: Any, conn: Any, uow: Any, batch: list[Any]) -> None:
        for job in batch:
            job.fn = ws.timed_fn(job.fn)
        t0 = time.perf_counter()
        try:
            commit(self, conn, uow, batch)
        finally:
            ws.committed(len(batch), time.perf_counter() - t0)

    def freeze_later() -> None:
        time.sleep(2.0)
        gc.freeze()

    def open_db(self: Any) -> Any:
        result = opener(self)
        gc.callbacks.append(ws.on_gc)
        if os.environ.get("KASSE_BENCH_GC_FREEZE") == "1":
            threading.Thread(target=freeze_later, name="bench-gc-freeze", daemon=True).start()
        threading.Thread(target=ws.dump_forever, name="bench-writer-stats", daemon=True).start()
        return result

    cls._commit_batch = commit_batch
    cls.open = open_db
    return True


def main() -> None:
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    interval = os.environ.get("KASSE_BENCH_SWITCH_INTERVAL")
    if interval:
        sys.setswitchinterval(float(interval))
    install(sys.argv[1])
    from kasse.cli import main as kasse_main

    kasse_main(args=sys.argv[2:], prog_name="kasse")


if __name__ == "__main__":
    main()
