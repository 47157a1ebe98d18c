"""The arithmetic of measuring two servers in turns: window lengths, each side's aggregate, per-pair ratios.

bench/growth.py runs a scenario against an empty store and a full one in alternating short windows (empty,
full, empty, full, ...), so that each pair of neighbouring windows sees the same machine. This module holds
what is done with the windows afterwards, free of servers and sockets so that it can be tested on its own.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass, field
from typing import Any

from loadgen import percentile, summary

GROWTH_RATE = 0.85  # issue #17: creates/s with the store full within 15% of the empty store's
GROWTH_P99 = 1.25  # and gets p99 within 25%
# (scenario, figure) -> (comparison, bound) of full/empty: the targets the check says PASS or MISS to
TARGETS = {("creates", "rate"): ("≥", GROWTH_RATE), ("gets", "p99_ms"): ("≤", GROWTH_P99)}
FIGURES = {"rate": "rate/s", "p99_ms": "p99 ms", "kasse_cpu_ms": "kasse CPU/op ms", "postgres_cpu_ms": "PG CPU/op ms"}


def window_lengths(duration: float, window: float) -> list[float]:
    """Equal windows, none longer than `window`, that add up to `duration`: each side gets the same share."""
    count = max(1, math.ceil(duration / window - 1e-9))
    return [duration / count] * count


@dataclass
class Window:
    """One side's window: the outcomes of the steps it started (however late they ended) and their CPU.

    The loop starts no step after the window's end and waits for those in flight, and the CPU is read before
    the first and after the last, so counts and CPU cover the same work. A window of 1-2 s that dropped what was
    in flight at its end (as a 10 s scenario of run.py does) would drop the slowest requests likeliest of all.
    """

    length: float  # seconds in which steps were started: the rate's denominator
    wall: float  # seconds from the first CPU reading to the last, the drain included: the cores' denominator
    latencies: list[float]  # ms per operation: a request, or a whole cycle in the cycles scenario
    requests: list[float] | None = None  # ms per request of the cycles scenario
    errors: int = 0
    error_kinds: dict[str, int] = field(default_factory=dict)
    error_samples: list[str] = field(default_factory=list)
    server_cpu: float = 0.0  # CPU seconds of the server's process tree
    postgres_cpu: float = 0.0  # of every `postgres` process of the machine (0 on SQLite)
    client_cpu: float = 0.0  # of this process, the load generator
    by_process: list[float] = field(default_factory=list)  # granian main, then each worker
    threads: dict[str, float] = field(default_factory=dict)  # CPU seconds by kind of the worker's threads
    rss_mb: tuple[float, float] = (0.0, 0.0)  # the worker's, before and after

    def figures(self) -> dict[str, float]:
        ops = len(self.latencies)
        return {"rate": ops / self.length, "p99_ms": percentile(sorted(self.latencies), 99),
                "kasse_cpu_ms": self.server_cpu * 1000 / ops if ops else 0.0,
                "postgres_cpu_ms": self.postgres_cpu * 1000 / ops if ops else 0.0, "errors": self.errors}


def aggregate(windows: list[Window], scenario: str, unit: str, connections: int) -> dict[str, Any]:
    """One side's figures over all its windows, shaped as run.py's results (so report() and ceilings() take
    them): the rate is operations over the windows' total length, the percentiles are of all their latencies."""
    seconds, wall = sum(w.length for w in windows), sum(w.wall for w in windows)
    latencies = [x for w in windows for x in w.latencies]
    ops = len(latencies)
    server, pg = sum(w.server_cpu for w in windows), sum(w.postgres_cpu for w in windows)
    threads: dict[str, float] = {}
    for w in windows:
        for name, cpu in w.threads.items():
            threads[name] = threads.get(name, 0.0) + cpu
    kinds: dict[str, int] = {}
    for w in windows:
        for kind, n in w.error_kinds.items():
            kinds[kind] = kinds.get(kind, 0) + n
    res: dict[str, Any] = {
        "scenario": scenario, "unit": unit, "connections": connections, "seconds": seconds, "completed": ops,
        "rate": ops / seconds, **summary(latencies),
        "errors": sum(w.errors for w in windows), "error_kinds": kinds,
        "error_samples": [s for w in windows for s in w.error_samples][:5],
        "server_cpu_s": server, "server_cpu_cores": server / wall,
        "server_cpu_ms_per_op": server * 1000 / ops if ops else 0.0,
        "postgres_cpu_cores": pg / wall, "postgres_cpu_ms_per_op": pg * 1000 / ops if ops else 0.0,
        "server_cpu_cores_by_process": [sum(cpu) / wall for cpu in zip(*(w.by_process for w in windows), strict=True)],
        "client_cpu_cores": sum(w.client_cpu for w in windows) / wall,
        "worker_rss_mb": [windows[0].rss_mb[0], windows[-1].rss_mb[1]],
        "server_threads_cores": {name: cpu / wall for name, cpu in threads.items()},
        "writer": None,
        "windows": [w.figures() for w in windows],
    }
    requests = [x for w in windows for x in w.requests or ()]
    if requests:
        res["requests"] = {"completed": len(requests), "rate": len(requests) / seconds, **summary(requests)}
    return res


def ratio(full: float, empty: float) -> float | None:
    """full/empty, or None where the empty store gave nothing to compare with."""
    return full / empty if empty else None


def pair_ratios(empty: list[Window], full: list[Window], figure: str) -> list[float]:
    """full/empty of one figure for each pair of neighbouring windows: how far the machine's noise alone moves
    the ratio, next to the aggregate's ratio."""
    pairs = (ratio(f.figures()[figure], e.figures()[figure]) for e, f in zip(empty, full, strict=True))
    return [r for r in pairs if r is not None]


def spread(ratios: list[float]) -> dict[str, float] | None:
    """Median, least and greatest of the per-pair ratios (None when there are none)."""
    if not ratios:
        return None
    return {"median": statistics.median(ratios), "min": min(ratios), "max": max(ratios)}


def verdict(scenario: str, figure: str, value: float | None) -> bool | None:
    """PASS (True) or MISS (False) of the aggregate ratio against issue #17's target; None where none is set."""
    if (scenario, figure) not in TARGETS:
        return None
    if value is None:
        return False
    sign, bound = TARGETS[scenario, figure]
    return value >= bound if sign == "≥" else value <= bound


def compare(empty: list[Window], full: list[Window], empty_result: dict[str, Any], full_result: dict[str, Any],
            *, postgres: bool) -> list[dict[str, Any]]:
    """The growth rows of one scenario: per figure the two aggregates, their ratio, the per-pair spread and the
    verdict where issue #17 sets a target."""
    scenario = empty_result["scenario"]
    rows = []
    for figure in ("rate", "p99_ms", "kasse_cpu_ms", *(("postgres_cpu_ms",) if postgres else ())):
        e, f = _aggregate_figure(empty_result, figure), _aggregate_figure(full_result, figure)
        pairs = pair_ratios(empty, full, figure)
        value = ratio(f, e)
        rows.append({"scenario": scenario, "figure": figure, "empty": e, "full": f, "ratio": value,
                     "pairs": pairs, "spread": spread(pairs), "target": _target(scenario, figure),
                     "pass": verdict(scenario, figure, value)})
    return rows


def _target(scenario: str, figure: str) -> str | None:
    """The target as the report and the JSON show it, e.g. "≥ 0.85" (of full/empty)."""
    sign, bound = TARGETS.get((scenario, figure), ("", 0.0))
    return f"{sign} {bound:.2f}" if sign else None


def _aggregate_figure(result: dict[str, Any], figure: str) -> float:
    key = {"kasse_cpu_ms": "server_cpu_ms_per_op", "postgres_cpu_ms": "postgres_cpu_ms_per_op"}.get(figure, figure)
    value: float = result[key]
    return value
