"""The README's settlement walk-through, copy-pasted into bash against a fresh `kasse serve` (issue #16 "README")."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from tests.harness import ServerProcess

README = Path(__file__).resolve().parents[3] / "README.md"
DEFAULT_URL = "http://127.0.0.1:8000"


def sh_block(section: str) -> str:
    """Return the first ```sh block under a README heading."""
    text = README.read_text(encoding="utf-8").split(f"## {section}\n", 1)[1]
    return re.findall(r"```sh\n(.*?)```", text, flags=re.DOTALL)[0]


@pytest.mark.slow
def test_the_readme_settlement_commands_run_as_written_on_a_fresh_server(server: ServerProcess) -> None:
    settlement = sh_block("Testing your settlement and reconciliation")
    sell = next(line for line in settlement.splitlines() if line.startswith("# sell something"))
    # as the comment says: the shell section's sale goes where the walk-through asks for one
    script = "set -euo pipefail\n" + settlement.replace(sell, sh_block("A payment from the shell"))
    tomorrow = datetime.now(UTC).date() + timedelta(days=1)  # 10:00 UTC: the sale's date cannot close mid-script
    moved = httpx.post(f"{server.url}/_kasse/clock/set", json={"now": f"{tomorrow}T10:00:00Z"}, trust_env=False)
    assert moved.status_code == 200, moved.text
    env = {**os.environ, "KASSE_URL": server.url, "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}

    done = subprocess.run(["bash", "-c", script.replace(DEFAULT_URL, server.url)], env=env, capture_output=True,
                          text=True, timeout=120, check=False)

    out = done.stdout
    assert done.returncode == 0, done.stderr + out
    assert "Traceback" not in done.stderr
    # the shell section's 499.00 sale, at the guide's flat 4.00 fee, paid out at the close of its date
    assert re.search(r"^  payout 300001-1: 49500 NOK for msn 123456 ", out, re.M)
    assert re.search(r"^300001  msn 123456  funds 0 NOK  fees 0  closed through \S+  payouts 1$", out, re.M)
    assert [line.split()[2] for line in out.splitlines() if re.match(r"^\s+\d+  \d{4}-", line)] == [
        "capture", "fees-retained", "payout-scheduled", "capture-fee", "fees-retained"]
    assert '"ledgerIds": [\n    "300001"\n  ]' in out
    assert '"entryType":"payout-scheduled"' in out and '"settlesForRecipientHandles":["api:123456"]' in out
