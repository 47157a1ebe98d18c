"""The README's SDK example runs as written against a real server (only the base URL and the sleep are swapped)."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import pytest

from tests.harness import ServerProcess
from tests.unit.sdk.fakes import FakeClock

pytestmark = pytest.mark.slow
README = Path(__file__).resolve().parents[3] / "README.md"
KASSE_URL = 'base_url="http://127.0.0.1:8000"'


def sdk_examples() -> list[str]:
    section = README.read_text(encoding="utf-8").split("## Python SDK", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```python\n(.*?)```", section, flags=re.DOTALL)


def test_the_in_person_example_sells_and_checks_the_capture(live: ServerProcess, clock: FakeClock) -> None:
    example = sdk_examples()[0]
    assert example.count(KASSE_URL) == 1
    code = example.replace(KASSE_URL, f'base_url="{live.url}", sleep=_sleep, clock=_clock')
    printed = io.StringIO()

    with contextlib.redirect_stdout(printed):
        exec(compile(code, str(README), "exec"), {"_sleep": clock.sleep, "_clock": clock})

    assert "show this QR on the customer display: http" in printed.getvalue()
    assert printed.getvalue().endswith("paid: 499.00 NOK\n")
    assert sum(clock.sleeps) == 0  # force approve authorized it: the example reads it at once, no 5 s wait


def test_the_webhook_example_compiles() -> None:
    compile(sdk_examples()[1], str(README), "exec")
