"""Where the tests read the official OpenAPI files from (never copied into the repository), and how they skip.

The files live beside the checkout in `../shared/reference/openapi/`, or wherever `KASSE_REFERENCE_DIR` says.
A test that needs one skips with `SKIP_MARK` in its reason, so the run can count those skips and say so
at its end (tests/conftest.py).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REFERENCE = Path(
    os.environ.get("KASSE_REFERENCE_DIR", Path(__file__).resolve().parents[2] / "shared" / "reference" / "openapi")
)
SKIP_MARK = "the official spec"


def require(path: Path) -> Path:
    """Return `path`, or skip the test, naming the missing file, when it is not there."""
    if not path.exists():
        pytest.skip(f"{SKIP_MARK} {path.name} is not in {path.parent}")
    return path


def skipped_for_a_spec(reason: str) -> bool:
    """Tell whether a skip's reason is a missing official spec file."""
    return SKIP_MARK in reason


def summary(count: int) -> str:
    """Return the one line that ends a run in which `count` official-spec checks were skipped."""
    return (f"{count} official-spec check(s) skipped: the official Vipps MobilePay OpenAPI files are not in "
            f"{REFERENCE}; put them there (or set KASSE_REFERENCE_DIR to their directory) to run them")
