from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kasse.domain.timefmt import parse_rfc3339, rfc3339

CET = timezone(timedelta(hours=2))


@pytest.mark.parametrize(
    ("moment", "text"),
    [
        (datetime(2023, 3, 27, 10, 51, 59, 378_000, tzinfo=UTC), "2023-03-27T10:51:59.378Z"),
        (datetime(2023, 3, 27, 10, 51, 59, 999_999, tzinfo=UTC), "2023-03-27T10:51:59.999Z"),
        (datetime(2023, 3, 27, 10, 51, 59, tzinfo=UTC), "2023-03-27T10:51:59.000Z"),
        (datetime(2023, 3, 27, 12, 51, 59, 5_000, tzinfo=CET), "2023-03-27T10:51:59.005Z"),
        (datetime(2024, 1, 1, 1, 0, tzinfo=CET), "2023-12-31T23:00:00.000Z"),
    ],
    ids=["millis", "truncates-not-rounds", "whole-second", "offset-to-utc", "offset-crosses-the-year"],
)
def test_moments_are_written_in_utc_with_milliseconds_and_z(moment: datetime, text: str) -> None:
    assert rfc3339(moment) == text


@pytest.mark.parametrize(
    ("text", "moment"),
    [
        ("2023-03-27T10:51:59.378Z", datetime(2023, 3, 27, 10, 51, 59, 378_000, tzinfo=UTC)),
        ("2023-03-27T10:51:59z", datetime(2023, 3, 27, 10, 51, 59, tzinfo=UTC)),
        ("2023-03-27t10:51:59Z", datetime(2023, 3, 27, 10, 51, 59, tzinfo=UTC)),
        ("2023-03-27T12:51:59+02:00", datetime(2023, 3, 27, 10, 51, 59, tzinfo=UTC)),
    ],
)
def test_rfc3339_text_is_read_as_a_utc_moment(text: str, moment: datetime) -> None:
    parsed = parse_rfc3339(text)

    assert parsed == moment
    assert parsed.tzinfo is UTC


@pytest.mark.parametrize("text", ["2023-03-27T10:51:59", "2023-03-27", "yesterday", ""])
def test_text_without_an_offset_or_not_a_time_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_rfc3339(text)


@given(st.datetimes(min_value=datetime(1970, 1, 2), max_value=datetime(9999, 12, 30), timezones=st.just(UTC)))
def test_written_moments_read_back_to_the_millisecond(moment: datetime) -> None:
    assert parse_rfc3339(rfc3339(moment)) == moment.replace(microsecond=moment.microsecond // 1000 * 1000)
