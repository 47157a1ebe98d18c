"""Human-typed durations such as `90s`, `10m`, `2h`, `7d` or `1h30m`, for moving kasse's clock.

Units come largest first, each at most once, each a whole number; a bare number is refused so
`10` cannot mean seconds to one reader and minutes to another.
"""

from __future__ import annotations

import re
from datetime import timedelta

_PATTERN = re.compile(r"(?:(?P<d>\d+)d)?(?:(?P<h>\d+)h)?(?:(?P<m>\d+)m)?(?:(?P<s>\d+)s)?")
_SECONDS_PER_UNIT = {"d": 86400, "h": 3600, "m": 60, "s": 1}
MAX_DIGITS = 9  # per unit: enough for any test, small enough that timedelta never overflows


def parse_duration(text: str) -> timedelta:
    """Parse `1h30m`-style text into a duration.

    Raises:
        ValueError: the text is empty, has no unit, repeats or misorders units, or is not whole numbers.
    """
    compact = text.strip().lower()
    match = _PATTERN.fullmatch(compact)
    if not compact or match is None:
        raise ValueError(f"{text!r} is not a duration: use whole numbers with units d, h, m, s, e.g. 90s, 10m, 1h30m")
    parts = {unit: value for unit, value in match.groupdict().items() if value is not None}
    if any(len(value) > MAX_DIGITS for value in parts.values()):
        raise ValueError(f"{text!r} is too long a duration")
    return timedelta(seconds=sum(int(value) * _SECONDS_PER_UNIT[unit] for unit, value in parts.items()))

