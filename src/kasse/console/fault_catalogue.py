"""What each fault of the board does to a client, in one line each (docs/faults.md tells the whole story).

Keyed by `FaultKind`, so a kind added to the board without a line here fails its test
(tests/integration/test_console_clock.py) instead of showing up unexplained.
"""

from __future__ import annotations

from kasse.domain.faults import DELAYED_KINDS, FaultKind, FaultTarget

EFFECTS: dict[FaultKind, str] = {
    FaultKind.WEBHOOK_DROP: "The webhook is never sent (recorded as delivered): your POS must notice by polling.",
    FaultKind.WEBHOOK_DELAY: "The webhook arrives delaySeconds of kasse's clock late; later events wait behind it.",
    FaultKind.WEBHOOK_DUPLICATE: "The receiver gets the same webhook twice, same body and signature.",
    FaultKind.WEBHOOK_REORDER: "Another payment's next webhook arrives before this one.",
    FaultKind.WEBHOOK_BAD_SIGNATURE: "The webhook is signed with a wrong secret: a verifying receiver answers 401.",
    FaultKind.WEBHOOK_BAD_HASH: "x-ms-content-sha256 does not match the body: a verifying receiver refuses it.",
    FaultKind.WEBHOOK_TIMEOUT: "kasse gives up waiting for the receiver and sends it again at the next retry.",
    FaultKind.API_500: "The ePayment call answers 500 Internal Server Error and does nothing.",
    FaultKind.API_423: "The ePayment call answers 423 Locked (another operation on the payment): retry later.",
    FaultKind.API_429: "The ePayment call answers 429 Too Many Requests: back off and retry.",
    FaultKind.API_LOST_RESPONSE: "The operation commits but the connection is reset: retry with the same "
                                 "Idempotency-Key.",
    FaultKind.REPORT_LAG: "Report API entries and closed dates show up delaySeconds late.",
    FaultKind.REPORT_DATE_OPEN: "The Report API answers tryLater for every date of the unit's ledger.",
    FaultKind.REPORT_PAYOUT_ABORTED: "The next payout comes back: payout-aborted on the next date.",
    FaultKind.REPORT_CORRECTION: "The next date closing writes a correction of -1.00 on funds.",
    FaultKind.REPORT_SLOW_CLOSING: "The next closing holds its transaction open delaySeconds of real time "
                                   "(a crash test's window).",
}

# which settings each kind takes, for the arm form's hints
ENDPOINT_KINDS = frozenset(k for k in FaultKind if k.target is FaultTarget.API)
DELAY_KINDS = frozenset({*DELAYED_KINDS, FaultKind.REPORT_SLOW_CLOSING})


def settings_of(kind: FaultKind) -> str:
    """Name the settings a kind takes besides `times`, as the arm form's table shows them."""
    if kind in ENDPOINT_KINDS:
        return "endpoint (optional)"
    if kind is FaultKind.REPORT_SLOW_CLOSING:
        return "delaySeconds (optional, real seconds)"
    if kind in DELAY_KINDS:
        return "delaySeconds (required)"
    return ""
