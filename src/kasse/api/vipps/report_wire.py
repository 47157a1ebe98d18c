"""The Report API's own answers: its 401, 400 and 404 shapes (contract §1.6), and ledgers on the wire."""

from __future__ import annotations

import uuid

from starlette.responses import Response

from kasse.api.problems import problem_response
from kasse.api.responses import json_response
from kasse.domain.ledger import EntryType, Ledger
from kasse.domain.ledger_owner import owner, payout_account
from kasse.domain.report_dialect import PayoutEntryType
from kasse.services.reports import ReportPage

INPUT_ERROR = 10002  # docs errors: input validation, the message names the field


class ReportAuthError(Exception):
    """Missing, malformed, forged or expired token, or merchant keys without their subscription key."""


class DateNotReadyError(Exception):
    """A date not closed yet, answered as the spec does (404) when `KASSE_REPORT_OPEN_DATE=404`."""


def unauthorized(message: str) -> Response:
    return json_response({"code": "Unauthorized", "message": message}, status=401)


def bad_input(field: str, message: str) -> Response:
    # contract §1.6 (derived): the 500-shaped body with errorCode 10002; extraDetails names the field, as elsewhere
    return json_response({"errorCode": INPUT_ERROR, "errorMessage": message, "contextId": str(uuid.uuid4()),
                          "extraDetails": [{"name": field, "reason": message}]}, status=400)


def no_such_ledger(path: str) -> Response:
    return problem_response(404, "No such ledgerId", path, [("ledgerId", "No such ledgerId")])


def date_not_ready(path: str) -> Response:
    # the spec: 404 "The report for this date is not available yet", a signal to try again later
    return problem_response(404, "The report for this date is not available yet", path,
                            [("ledgerDate", "not closed yet: try again later")])


def ledger_wire(ledger: Ledger, name: str) -> dict[str, object]:
    handle = ledger.recipient_handle
    return {
        "ledgerId": ledger.ledger_id,
        "currency": ledger.currency.value,
        "payoutBankAccount": payout_account(ledger.msn, ledger.market),
        "owner": owner(ledger.msn, ledger.market),
        "settlesForRecipientHandles": [handle],
        "salesUnits": [{"name": name, "recipientHandle": handle}],
    }


def _entry(entry_wire: dict[str, object], payout_name: PayoutEntryType) -> dict[str, object]:
    if entry_wire["entryType"] == EntryType.PAYOUT_SCHEDULED.value:
        entry_wire["entryType"] = payout_name.value
    return entry_wire


def page_wire(page: ReportPage, *, dates: bool,
              payout_name: PayoutEntryType = PayoutEntryType.PAYOUT_SCHEDULED) -> dict[str, object]:
    """Return a dates page (`hasMore`, a cursor only with more) or a feed page (a cursor always, no `hasMore`)."""
    body: dict[str, object] = {"items": [_entry(e.to_wire(), payout_name) for e in page.items]}
    if dates:
        body["hasMore"] = page.has_more
        if page.cursor is not None:
            body["cursor"] = page.cursor
    else:
        body["cursor"] = page.cursor
    body["tryLater"] = page.try_later
    return body
