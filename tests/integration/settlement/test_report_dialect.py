"""Where the Report API's sources disagree (contract §6 Q1, Q4): the guide's answers by default, the spec's on a switch.

Also the 2023 spec's way of asking for a partner token (client_id/client_secret headers, no body), and a feed
cursor for a position the ledger never reached.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kasse.domain.report_dialect import OpenDateAnswer, PayoutEntryType, ReportDialect, parse_dialect
from kasse.services.reports import LEDGER_PAGE, encode_cursor
from tests.harness import InProcessKasse, authorized, in_process
from tests.integration.report_support import (
    REPORT,
    ReportReader,
    assert_ledgers,
    merchant_reader,
    new_partner,
    partner_token,
)
from tests.integration.webhook_spec import REFERENCE

SPEC = ReportDialect(OpenDateAnswer.NOT_FOUND, PayoutEntryType.SCHEDULED_FOR_PAYOUT)


@pytest.fixture
def spec_kasse(tmp_path: Path) -> Iterator[InProcessKasse]:
    """A kasse with KASSE_REPORT_OPEN_DATE=404 and KASSE_REPORT_PAYOUT_ENTRY_TYPE=scheduled-for-payout."""
    yield from in_process(tmp_path, report_dialect=SPEC)


@functools.cache
def spec_entry_types() -> list[str]:
    import yaml

    spec: dict[str, Any] = yaml.safe_load((REFERENCE / REPORT).read_text())
    types: list[str] = spec["components"]["schemas"]["Transaction"]["properties"]["entryType"]["enum"]
    return types


def closed_day_with_a_payout(kasse: InProcessKasse) -> tuple[str, str]:
    ref = authorized(kasse.demo, 10000)
    assert kasse.demo.modify(ref, "capture", 10000).status_code == 200
    day = kasse.client.get("/_kasse/ledgers").json()["ledgers"][0]["openDate"]
    assert kasse.client.post("/_kasse/clock/advance", json={"duration": "1d"}).status_code == 200
    return merchant_reader(kasse).ledger_id(), day


def test_the_spec_dialect_answers_404_for_a_date_not_closed_yet(spec_kasse: InProcessKasse) -> None:
    ledger_id, closed = closed_day_with_a_payout(spec_kasse)
    today = spec_kasse.client.get("/_kasse/ledgers").json()["ledgers"][0]["openDate"]
    reader = merchant_reader(spec_kasse)

    open_date = reader.date(ledger_id, "funds", today)
    closed_date = reader.date(ledger_id, "funds", closed)
    unknown = reader.date("999999", "funds", today)

    assert open_date.status_code == 404 and open_date.headers["content-type"] == "application/problem+json"
    assert open_date.json()["detail"] == "The report for this date is not available yet"
    assert closed_date.status_code == 200 and closed_date.json()["tryLater"] is False
    assert unknown.status_code == 404 and unknown.json()["detail"] == "No such ledgerId"


def test_the_spec_dialect_names_payouts_scheduled_for_payout_from_the_specs_enum(spec_kasse: InProcessKasse) -> None:
    ledger_id, closed = closed_day_with_a_payout(spec_kasse)
    reader = merchant_reader(spec_kasse)

    dated = reader.whole_date(ledger_id, "funds", closed)
    fed, _ = reader.whole_feed(ledger_id, "funds")

    assert [e["entryType"] for e in dated] == ["capture", "fees-retained", "scheduled-for-payout"]
    assert fed == dated
    if (REFERENCE / REPORT).exists():
        assert {e["entryType"] for e in dated} <= set(spec_entry_types())


def test_the_default_dialect_names_payouts_payout_scheduled(kasse: InProcessKasse) -> None:
    ledger_id, closed = closed_day_with_a_payout(kasse)

    dated = merchant_reader(kasse).whole_date(ledger_id, "funds", closed)

    assert dated[-1]["entryType"] == "payout-scheduled"


@pytest.mark.parametrize(("open_date", "payout", "variable"), [
    ("410", None, "KASSE_REPORT_OPEN_DATE"), (None, "payout", "KASSE_REPORT_PAYOUT_ENTRY_TYPE")])
def test_an_unknown_dialect_setting_is_refused_naming_its_variable(open_date: str | None, payout: str | None,
                                                                   variable: str) -> None:
    with pytest.raises(ValueError, match=variable):
        parse_dialect(open_date, payout)


def test_a_partner_token_from_the_2023_specs_client_id_and_secret_headers(kasse: InProcessKasse) -> None:
    _, client_id, secret = new_partner(kasse)

    r = kasse.client.post("/miami/v1/token", headers={"client_id": client_id, "client_secret": secret})
    wrong = kasse.client.post("/miami/v1/token", headers={"client_id": client_id, "client_secret": "nope"})

    assert r.status_code == 200, r.text
    assert r.json()["token_type"] == "Bearer" and r.json()["expires_in"] == "900"
    token = r.json()["access_token"]
    ledgers = kasse.client.get("/settlement/v1/ledgers", headers={"Authorization": f"Bearer {token}"})
    assert ledgers.status_code == 200 and ledgers.json()["items"] == []  # nothing granted yet
    assert wrong.status_code == 401


def test_a_feed_cursor_past_the_ledgers_last_entry_is_refused(kasse: InProcessKasse) -> None:
    reader = merchant_reader(kasse)
    ledger_id = reader.ledger_id()
    forged = encode_cursor({"l": ledger_id, "t": "funds", "p": 5})

    r = reader.feed(ledger_id, "funds", cursor=forged)

    assert r.status_code == 400 and r.json()["errorCode"] == 10002
    assert [d["name"] for d in r.json()["extraDetails"]] == ["cursor"]


def test_a_partners_ledgers_come_in_pages_with_a_cursor_and_the_filter_survives_it(kasse: InProcessKasse) -> None:
    partner_id, client_id, secret = new_partner(kasse)
    msns = ["123456"] + [kasse.demo.new_merchant().msn for _ in range(LEDGER_PAGE)]
    for msn in msns:
        assert kasse.client.post(f"/_kasse/partners/{partner_id}/grants", json={"msn": msn}).status_code == 201
    token = partner_token(kasse.client, client_id, secret).json()["access_token"]
    reader = ReportReader(kasse.client, {"Authorization": f"Bearer {token}"})

    first = reader.get("/settlement/v1/ledgers").json()
    second = reader.get("/settlement/v1/ledgers", cursor=first["cursor"]).json()
    one = reader.get("/settlement/v1/ledgers", settlesForRecipientHandles=f"api:{msns[-1]}").json()

    assert_ledgers(first)
    assert len(first["items"]) == LEDGER_PAGE and first["cursor"] and second["cursor"] == ""
    handles = [h for page in (first, second) for item in page["items"] for h in item["settlesForRecipientHandles"]]
    assert sorted(handles) == sorted(f"api:{msn}" for msn in msns)
    assert [item["settlesForRecipientHandles"] for item in one["items"]] == [[f"api:{msns[-1]}"]]
