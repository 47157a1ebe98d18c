"""A run that cannot read the official OpenAPI files says so at its end, instead of skipping their checks silently."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # a pytest run of its own

ROOT = Path(__file__).resolve().parents[3]

# two checks that need a spec file, as the integration suites write them, and one that needs none
SPEC_CHECKS = '''
from tests.harness import EPAYMENT_SPEC
from tests.official_specs import REFERENCE, require

def test_reads_the_webhooks_spec():
    require(REFERENCE / "webhooks-v1.site-2026-04.yaml")

def test_reads_the_epayment_spec():
    require(EPAYMENT_SPEC)

def test_needs_no_spec():
    pass
'''


def run_pytest(tmp_path: Path, reference: Path) -> subprocess.CompletedProcess[str]:
    (tmp_path / "test_specs.py").write_text(SPEC_CHECKS)
    env = {**os.environ, "KASSE_REFERENCE_DIR": str(reference), "PYTHONPATH": str(ROOT)}
    env.pop("KASSE_EPAYMENT_SPEC", None)
    return subprocess.run([sys.executable, "-m", "pytest", str(tmp_path / "test_specs.py"), "-q", "-ra",
                           "-p", "tests.conftest", "-p", "no:cacheprovider", "--rootdir", str(tmp_path)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def test_a_run_without_the_spec_files_ends_with_one_line_saying_what_it_skipped(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-dir"

    result = run_pytest(tmp_path, missing)

    said = [line for line in result.stdout.splitlines() if "official-spec check(s) skipped" in line]
    last_two = [line for line in result.stdout.splitlines() if line.strip()][-2:]
    assert result.returncode == 0, result.stdout
    assert "1 passed, 2 skipped" in last_two[-1]
    # at the end: after the short test summary (-ra lists every skip), just above the counts (make test's
    # PostgreSQL run shows only the last lines of its log)
    assert last_two[0] == said[0], result.stdout
    assert said == [f"2 official-spec check(s) skipped: the official Vipps MobilePay OpenAPI files are not in "
                    f"{missing}; put them there (or set KASSE_REFERENCE_DIR to their directory) to run them"]


def test_every_check_of_a_contract_suite_that_skips_for_a_missing_spec_is_counted(tmp_path: Path) -> None:
    env = {**os.environ, "KASSE_REFERENCE_DIR": str(tmp_path / "no-such-dir"), "PYTHONPATH": str(ROOT)}
    env.pop("KASSE_EPAYMENT_SPEC", None)

    result = subprocess.run([sys.executable, "-m", "pytest", "tests/integration/contract/test_contract_qr.py", "-q",
                             "-p", "no:cacheprovider"], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=300)

    skipped = re.search(r"(\d+) skipped", result.stdout)
    counted = re.search(r"^(\d+) official-spec check\(s\) skipped", result.stdout, re.MULTILINE)
    assert result.returncode == 0, result.stdout
    assert skipped is not None and counted is not None, result.stdout
    assert counted.group(1) == skipped.group(1), result.stdout
