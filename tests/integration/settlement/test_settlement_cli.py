"""`kasse merchant settlement`, `kasse ledger`, `kasse partner` and the README's settlement SDK example."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from kasse.cli import main
from tests.harness import DEMO_CREDENTIALS, ApiSession, InProcessKasse, ServerProcess, authorized

README = Path(__file__).resolve().parents[3] / "README.md"


@pytest.mark.parametrize(("args", "option"), [
    (["merchant", "settlement", "--fee-percent", "abc"], "--fee-percent"),
    (["merchant", "settlement", "--fee-fixed", "-5"], "--fee-fixed"),
    (["merchant", "settlement", "--payout", "hourly"], "--payout"),
    (["merchant", "settlement", "--payout-delay", "99"], "--payout-delay"),
    (["ledger", "entries", "300001", "--date", "06.12.2026"], "--date"),
    (["merchant", "settlement", "--msn", "12ab"], "--msn"),
    (["merchant", "settlement", "--fee-fixed", "99999999999"], "--fee-fixed"),
    (["ledger", "show", "--msn", "1"], "--msn"),
    (["ledger", "adjust", "correction", "--amount", "0"], "--amount"),
    (["ledger", "adjust", "top-up", "--amount", "-5"], "--amount"),
    (["ledger", "adjust", "top-up", "--topic", "fees", "--amount", "5"], "--topic"),
    (["ledger", "adjust", "refund", "--amount", "5"], "ENTRY_TYPE"),
    (["ledger", "dispute", "psp-1", "--won", "--amount", "5"], "--amount"),
    (["partner", "create", "--name", ""], "--name"),
    (["partner", "grant", "partner-1", "--msn", "abc"], "--msn"),
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


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    assert "Traceback" not in result.output
    return result.exit_code, result.output


@pytest.mark.slow
def test_clock_moves_show_payouts_and_test_entries_are_written_from_the_cli(server: ServerProcess) -> None:
    url = ("--url", server.url)
    with httpx.Client(base_url=server.url, trust_env=False) as client:
        session = ApiSession(client, DEMO_CREDENTIALS)
        ref = authorized(session, 10000)
        assert session.modify(ref, "capture", 10000).status_code == 200
        psp = next(e["pspReference"] for e in session.events(ref).json() if e["name"] == "CAPTURED")

    _, advanced = run("clock", "advance", "1d", *url)
    _, shown = run("ledger", "show", *url)
    disputed = run("ledger", "dispute", psp, *url)
    again = run("ledger", "dispute", psp, *url)
    won = run("ledger", "dispute", psp, "--won", *url)
    topped = run("ledger", "adjust", "top-up", "--amount", "500", "--reference", "invoice-1", *url)
    unknown = run("ledger", "dispute", "no-such-capture", *url)
    no_unit = run("ledger", "show", "--msn", "999999", *url)

    ledger_id = re.search(r"^ledger (\d+)", shown, re.M)
    assert ledger_id is not None
    assert re.search(rf"^  payout {ledger_id.group(1)}-1: 9825 NOK for msn 123456 ", advanced, re.M)
    assert re.search(rf"^payout {ledger_id.group(1)}-1  9825 NOK  ledger date \S+  bank \d{{4}}-", shown, re.M)
    assert disputed[0] == 0 and "retained-disputed-capture" in disputed[1] and psp in disputed[1]
    assert again[0] == 2 and "PSP_REFERENCE" in again[1] and "under dispute already" in again[1]
    assert won[0] == 0 and "returned-disputed-capture" in won[1]
    assert topped[0] == 0 and "top-up" in topped[1] and "invoice-1" in topped[1]
    assert unknown[0] == 2 and "PSP_REFERENCE" in unknown[1]
    assert no_unit[0] == 2 and "--msn" in no_unit[1] and "999999" in no_unit[1]


@pytest.mark.slow
def test_partners_are_listed_granted_and_revoked_from_the_cli(server: ServerProcess) -> None:
    url = ("--url", server.url)
    _, created = run("partner", "create", "--name", "Acme", *url)
    partner_id = re.search(r'"partnerId": "([^"]+)"', created)
    assert partner_id is not None

    granted = run("partner", "grant", partner_id.group(1), *url)
    _, listed = run("partner", "list", *url)
    revoked = run("partner", "revoke", partner_id.group(1), *url)
    twice = run("partner", "revoke", partner_id.group(1), *url)
    nobody = run("partner", "grant", "partner-nobody", *url)
    no_unit = run("partner", "create", "--name", "Beta", "--msn", "999999", *url)

    assert granted[0] == 0 and re.search(rf"^{partner_id.group(1)}  Acme  client id \S+  ledgers 3\d+$", listed, re.M)
    assert revoked[0] == 0 and "revoked ledger" in revoked[1]
    assert twice[0] == 2 and "PARTNER_ID" in twice[1]
    assert nobody[0] == 2 and "PARTNER_ID" in nobody[1] and "No partner" in nobody[1]
    assert no_unit[0] == 2 and "--msn" in no_unit[1] and "Beta" not in run("partner", "list", *url)[1]


def test_the_readme_settlement_example_runs(kasse: InProcessKasse) -> None:
    section = README.read_text(encoding="utf-8").split("## Testing your settlement and reconciliation", 1)[1]
    example = re.findall(r"```python\n(.*?)```", section.split("\n## ", 1)[0], flags=re.DOTALL)[0]
    code = example.replace('base_url="http://127.0.0.1:8000"', 'base_url="http://127.0.0.1:8000", transport=_t')

    scope: dict[str, object] = {"_t": kasse.client._transport}
    exec(compile(code, str(README), "exec"), scope)

    assert scope["fees"] == [] and isinstance(scope["saved"], str)
