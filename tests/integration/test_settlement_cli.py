"""`kasse merchant settlement`, `kasse ledger`, `kasse partner` and the README's settlement SDK example."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from kasse.cli import main
from tests.harness import DEMO_CREDENTIALS, ApiSession, InProcessKasse, ServerProcess, authorized

README = Path(__file__).resolve().parents[2] / "README.md"


@pytest.mark.parametrize(("args", "option"), [
    (["merchant", "settlement", "--fee-percent", "abc"], "--fee-percent"),
    (["merchant", "settlement", "--fee-fixed", "-5"], "--fee-fixed"),
    (["merchant", "settlement", "--payout", "hourly"], "--payout"),
    (["merchant", "settlement", "--payout-delay", "99"], "--payout-delay"),
    (["ledger", "entries", "300001", "--date", "06.12.2026"], "--date"),
])
def test_bad_settlement_options_are_one_line_and_exit_2(args: list[str], option: str) -> None:
    result = CliRunner().invoke(main, [*args, "--url", "http://127.0.0.1:9"])

    assert result.exit_code == 2 and option in result.output and "Traceback" not in result.output


@pytest.mark.slow
def test_the_settlement_commands_drive_a_running_kasse(server: ServerProcess) -> None:
    url = ["--url", server.url]
    runner = CliRunner()
    with httpx.Client(base_url=server.url, trust_env=False) as client:
        session = ApiSession(client, DEMO_CREDENTIALS)
        ref = authorized(session, 10000)
        assert session.modify(ref, "capture", 10000).status_code == 200

        terms = runner.invoke(main, ["merchant", "settlement", "--fee-percent", "0", "--fee-fixed", "400", *url])
        advanced = runner.invoke(main, ["clock", "advance", "1d", *url])
        listed = runner.invoke(main, ["ledger", "list", *url])
        ledger_id = listed.output.split()[0]
        entries = runner.invoke(main, ["ledger", "entries", ledger_id, *url])
        partner = runner.invoke(main, ["partner", "create", "--name", "Acme", *url])
        partner_id = re.search(r'"partnerId": "([^"]+)"', partner.output)
        assert partner_id is not None
        granted = runner.invoke(main, ["partner", "grant", partner_id.group(1), *url])

    assert terms.exit_code == 0 and '"feeFixed": 400' in terms.output
    assert re.search(r"^closed ledger date \d{4}-\d\d-\d\d for \d+ ledger\(s\)$", advanced.output, re.M)
    assert "msn 123456" in listed.output
    # the fee was 1.75 % when the capture was booked; new terms apply from then on
    assert [line.split()[2] for line in entries.output.splitlines()] == ["capture", "fees-retained", "payout-scheduled"]
    assert granted.exit_code == 0 and f"granted ledger {ledger_id}" in granted.output


def test_the_readme_settlement_example_runs(kasse: InProcessKasse) -> None:
    section = README.read_text(encoding="utf-8").split("## Testing your settlement and reconciliation", 1)[1]
    example = re.findall(r"```python\n(.*?)```", section.split("\n## ", 1)[0], flags=re.DOTALL)[0]
    code = example.replace('base_url="http://127.0.0.1:8000"', 'base_url="http://127.0.0.1:8000", transport=_t')

    scope: dict[str, object] = {"_t": kasse.client._transport}
    exec(compile(code, str(README), "exec"), scope)

    assert scope["fees"] == [] and isinstance(scope["saved"], str)
