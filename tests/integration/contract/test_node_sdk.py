"""The official Node SDK (@vippsmobilepay/sdk), unmodified, against a real `kasse serve` process.

tests/node/run.mjs redirects the SDK's fixed test host to kasse through `fetch` and drives token, create
(QR and PUSH_MESSAGE), force approve, info, capture, refund, cancel and history, asserting as it goes.
`make test` installs tests/node/node_modules with `npm ci` whenever npm is on PATH.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.harness import DEMO_CREDENTIALS, ServerProcess

NODE_DIR = Path(__file__).resolve().parents[2] / "node"
NODE = shutil.which("node")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(NODE is None, reason="node is not on PATH"),
    pytest.mark.skipif(
        not (NODE_DIR / "node_modules" / "@vippsmobilepay" / "sdk").is_dir(),
        reason="tests/node/node_modules is absent: run `npm ci --prefix tests/node` (make test does)",
    ),
]


def run_sdk_check(server: ServerProcess) -> dict[str, Any]:
    assert NODE is not None
    env = {
        **os.environ,
        "KASSE_URL": server.url,
        "KASSE_MSN": DEMO_CREDENTIALS.msn,
        "KASSE_CLIENT_ID": DEMO_CREDENTIALS.client_id,
        "KASSE_CLIENT_SECRET": DEMO_CREDENTIALS.client_secret,
        "KASSE_SUBSCRIPTION_KEY": DEMO_CREDENTIALS.subscription_key,
    }
    done = subprocess.run([NODE, str(NODE_DIR / "run.mjs")], cwd=NODE_DIR, env=env, capture_output=True,
                          text=True, timeout=90, check=False)
    assert done.returncode == 0, f"run.mjs exited {done.returncode}\n{done.stderr}\n{done.stdout}"
    summary: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return summary


def test_the_official_node_sdk_drives_a_payment_through_its_whole_life(server: ServerProcess) -> None:
    summary = run_sdk_check(server)

    locked = json.loads((NODE_DIR / "package-lock.json").read_text())
    assert summary["ok"] is True
    assert summary["sdk"]["version"] == locked["packages"]["node_modules/@vippsmobilepay/sdk"]["version"]
    assert summary["token"] == {"token_type": "Bearer", "expires_in": "3600"}
    for flow in ("qr", "push"):
        result = summary["flows"][flow]
        assert result["state"] == "AUTHORIZED"
        assert result["aggregate"] == {
            "authorizedAmount": {"currency": "NOK", "value": 10000},
            "cancelledAmount": {"currency": "NOK", "value": 6000},
            "capturedAmount": {"currency": "NOK", "value": 4000},
            "refundedAmount": {"currency": "NOK", "value": 1500},
        }
        assert result["events"] == ["CREATED", "AUTHORIZED", "CAPTURED", "REFUNDED", "CANCELLED"]
        assert result["captureAfterCancel"] == {"status": 400, "errorCode": "6070"}
    assert summary["flows"]["terminated"] == {
        "reference": summary["flows"]["terminated"]["reference"],
        "state": "TERMINATED",
        "events": ["CREATED", "TERMINATED"],
    }
    assert set(summary["methods"]) == {
        "POST /accesstoken/get",
        "POST /epayment/v1/payments",
        "GET /epayment/v1/payments/{ref}",
        "GET /epayment/v1/payments/{ref}/events",
        "POST /epayment/v1/test/payments/{ref}/approve",
        "POST /epayment/v1/payments/{ref}/capture",
        "POST /epayment/v1/payments/{ref}/refund",
        "POST /epayment/v1/payments/{ref}/cancel",
    }
