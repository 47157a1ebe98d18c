"""The growth check's arithmetic (bench/interleave.py): two stores measured in turns are aggregated per side over
all their windows, and the per-pair ratios show how far the machine's noise alone moves the ratio."""

from __future__ import annotations

import sys
from pathlib import Path
from types import ModuleType

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"


@pytest.fixture(scope="module")
def interleave() -> ModuleType:
    sys.path.insert(0, str(BENCH))  # the bench scripts import each other by bare name
    try:
        import interleave

        return interleave
    finally:
        sys.path.remove(str(BENCH))


def window(interleave: ModuleType, latencies: list[float], *, length: float = 1.0, cpu: float = 0.0) -> object:
    return interleave.Window(length=length, wall=length, latencies=latencies, server_cpu=cpu)


@pytest.mark.parametrize(("duration", "window_s", "lengths"), [(10, 2, [2.0] * 5), (10, 3, [2.5] * 4), (1, 5, [1.0])])
def test_each_side_gets_equal_windows_no_longer_than_asked_that_fill_the_duration(
        interleave: ModuleType, duration: float, window_s: float, lengths: list[float]) -> None:
    assert interleave.window_lengths(duration, window_s) == lengths


def test_a_side_is_aggregated_over_all_its_windows_not_averaged_per_window(interleave: ModuleType) -> None:
    quick = window(interleave, [1.0] * 99, cpu=0.099)
    slow = window(interleave, [1.0] * 98 + [50.0, 60.0], cpu=0.1)

    side = interleave.aggregate([quick, slow], "gets", "req/s", 32)

    assert side["rate"] == pytest.approx(199 / 2)
    assert side["p99_ms"] == 50.0  # the 198th of 199 latencies: the slow window's tail counts in full
    assert side["server_cpu_ms_per_op"] == pytest.approx(1.0)
    assert side["windows"][1]["p99_ms"] == 50.0


def test_the_verdict_is_the_aggregate_ratio_and_the_pairs_show_the_spread(interleave: ModuleType) -> None:
    empty = [window(interleave, [10.0] * n) for n in (100, 100, 100)]
    full = [window(interleave, [10.0] * n) for n in (70, 90, 95)]
    e, f = (interleave.aggregate(w, "creates", "req/s", 32) for w in (empty, full))

    rate = next(r for r in interleave.compare(empty, full, e, f, postgres=False) if r["figure"] == "rate")

    assert rate["ratio"] == pytest.approx(0.85)
    assert rate["pass"] is True
    assert rate["pairs"] == pytest.approx([0.7, 0.9, 0.95])
    assert rate["spread"] == pytest.approx({"median": 0.9, "min": 0.7, "max": 0.95})


def test_gets_p99_misses_beyond_a_quarter_and_a_pair_without_an_empty_figure_is_left_out(
        interleave: ModuleType) -> None:
    assert interleave.verdict("gets", "p99_ms", 1.26) is False
    assert interleave.verdict("gets", "p99_ms", 1.25) is True
    assert interleave.verdict("gets", "rate", 0.5) is None
    assert interleave.pair_ratios([window(interleave, []), window(interleave, [2.0])],
                                  [window(interleave, [1.0]), window(interleave, [3.0])], "p99_ms") == [1.5]
