"""The request log's settings: on outside production unless told, retention by count and by a duration."""

from __future__ import annotations

from datetime import timedelta

import pytest

from kasse.settings import Settings, SettingsError

VARIABLES = ("KASSE_MODE", "KASSE_REQUEST_LOG", "KASSE_REQUEST_LOG_MAX_ROWS", "KASSE_REQUEST_LOG_MAX_AGE")


@pytest.fixture(autouse=True)
def clean(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)


def test_defaults_record_outside_production_for_a_week_and_100000_requests() -> None:
    s = Settings.from_env()

    assert (s.records_requests, s.request_log_max_rows, s.request_log_max_age) == (True, 100_000, timedelta(days=7))


def test_production_records_only_when_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KASSE_MODE", "production")
    assert Settings.from_env().records_requests is False

    monkeypatch.setenv("KASSE_REQUEST_LOG", "on")
    assert Settings.from_env().records_requests is True


def test_retention_is_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KASSE_REQUEST_LOG_MAX_ROWS", "5_000")
    monkeypatch.setenv("KASSE_REQUEST_LOG_MAX_AGE", "1d12h")

    s = Settings.from_env()

    assert (s.request_log_max_rows, s.request_log_max_age) == (5000, timedelta(hours=36))


@pytest.mark.parametrize(("name", "value"), [
    ("KASSE_REQUEST_LOG", "maybe"), ("KASSE_REQUEST_LOG_MAX_ROWS", "0"), ("KASSE_REQUEST_LOG_MAX_ROWS", "-5"),
    ("KASSE_REQUEST_LOG_MAX_ROWS", "lots"), ("KASSE_REQUEST_LOG_MAX_AGE", "7"), ("KASSE_REQUEST_LOG_MAX_AGE", "0s"),
])
def test_a_bad_value_is_refused_naming_the_variable(monkeypatch: pytest.MonkeyPatch, name: str, value: str) -> None:
    monkeypatch.setenv(name, value)

    with pytest.raises(SettingsError) as refused:
        Settings.from_env()

    assert refused.value.name == name
