"""Business days of each market from the `holidays` library: when a scheduled payout reaches the bank.

A payout scheduled for ledger date D is sent `delay` business days after D (Vipps: D+2, MobilePay: D+1);
weekends and the market's public holidays are skipped (Report API contract §2.6).
"""

from __future__ import annotations

import functools
from datetime import date, timedelta

import holidays

from kasse.domain.money import Market


@functools.cache
def _holidays(market: Market, year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays(market.value, years=year).keys())


def is_business_day(day: date, market: Market) -> bool:
    return day.isoweekday() < 6 and day not in _holidays(market, day.year)


def bank_date(ledger_date: date, delay: int, market: Market) -> date:
    """Return the business day `delay` business days after `ledger_date` (the date itself when delay is 0)."""
    day = ledger_date
    for _ in range(delay):
        day += timedelta(days=1)
        while not is_business_day(day, market):
            day += timedelta(days=1)
    return day
