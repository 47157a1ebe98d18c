"""`kasse pos reconcile --date D [--csv FILE]`: bad input is one clear line and exit status 2."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from kasse.cli import main
from kasse.cli.end_of_day import summary
from tests.integration.pos.test_end_of_day import run
from tests.unit.pos.eod_fakes import DAY, a_day, settled


@pytest.mark.parametrize(("args", "says"), [
    (["--date", "2026-02-30"], "Invalid value for '--date'"),
    (["--date", "yesterday"], "Invalid value for '--date'"),
    (["--csv", "out.csv"], "--csv needs --date YYYY-MM-DD"),
])
def test_bad_options_are_refused_with_exit_status_2(args: list[str], says: str, tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["pos", "reconcile", "--pos-db", str(tmp_path / "pos.db"), *args])

    assert result.exit_code == 2 and says in result.output and "Traceback" not in result.output


def test_a_missing_pos_database_is_said_in_one_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["pos", "reconcile", "--date", "2026-03-02", "--pos-db",
                                       str(tmp_path / "nowhere.db"), "--url", "http://127.0.0.1:9"])

    assert (result.exit_code, result.output.strip()) == (
        2, f"Error: Invalid value for '--pos-db': there is no POS database at {tmp_path / 'nowhere.db'}")


def test_the_summary_names_the_ledger_each_difference_and_the_payout(tmp_path: Path) -> None:
    store, reports, moves = a_day(tmp_path)
    reports.funds_by_day[DAY], _ = settled(moves[1:])  # the report lacks the first capture

    lines = summary(run(reports, store))

    assert lines[0] == "End of day 2026-03-02, ledger 100001 (NOK)"
    assert "in the POS, not in the report" in lines[1] and "#1" in lines[1] and "psp psp-c1" in lines[1]
    assert lines[-2] == "Payout 101,00 kr (100001-1) · expected from the POS's sales 231,00 kr"
    assert lines[-1] == "4 matched, 1 difference(s)"
