from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kasse.domain.duration import parse_duration


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("90s", timedelta(seconds=90)),
        ("10m", timedelta(minutes=10)),
        ("2h", timedelta(hours=2)),
        ("7d", timedelta(days=7)),
        ("1h30m", timedelta(hours=1, minutes=30)),
        ("1d2h3m4s", timedelta(days=1, hours=2, minutes=3, seconds=4)),
        ("0s", timedelta()),
        (" 10M ", timedelta(minutes=10)),
    ],
)
def test_durations_read_as_written(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize(
    "text",
    ["", "   ", "10", "10x", "m", "-5m", "1.5h", "30m1h", "1h1h", "1h 30m", "ten minutes", "1234567890s"],
    ids=["empty", "blank", "no-unit", "unknown-unit", "no-number", "negative", "fraction", "misordered",
         "repeated", "inner-space", "words", "too-long"],
)
def test_anything_else_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="duration"):
        parse_duration(text)


@given(st.integers(0, 999), st.integers(0, 999), st.integers(0, 999), st.integers(0, 999))
def test_every_unit_adds_up(d: int, h: int, m: int, s: int) -> None:
    assert parse_duration(f"{d}d{h}h{m}m{s}s") == timedelta(days=d, hours=h, minutes=m, seconds=s)
