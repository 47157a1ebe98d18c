"""Faults a developer can arm against their own sales unit, to see their POS survive them on purpose.

One table says what each kind acts on and which settings it takes, so the control API, the CLI,
the delivery loop and the API middleware never keep their own lists.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class FaultKind(StrEnum):
    """What goes wrong: the wire names used by `/_kasse/faults` and `kasse fault`."""

    WEBHOOK_DROP = "webhook.drop"  # recorded as delivered, never sent
    WEBHOOK_DELAY = "webhook.delay"  # sent `delay_seconds` of kasse's clock later than due
    WEBHOOK_DUPLICATE = "webhook.duplicate"  # sent twice
    WEBHOOK_REORDER = "webhook.reorder"  # held back until a later delivery of another payment went first
    WEBHOOK_BAD_SIGNATURE = "webhook.bad-signature"  # signed with the wrong secret
    WEBHOOK_BAD_HASH = "webhook.bad-hash"  # x-ms-content-sha256 does not match the body
    WEBHOOK_TIMEOUT = "webhook.timeout"  # sent, but kasse gives up waiting and retries on schedule
    API_500 = "api.500"
    API_423 = "api.423"
    API_429 = "api.429"
    API_LOST_RESPONSE = "api.lost-response"  # the operation commits, the client's connection is reset
    REPORT_LAG = "report.lag"  # Report API entries (and closed dates) show up `delay_seconds` late
    REPORT_DATE_OPEN = "report.date-open"  # the dates endpoint answers `tryLater` for the unit's ledger
    REPORT_PAYOUT_ABORTED = "report.payout-aborted"  # the next payout comes back: `payout-aborted` on the next date
    REPORT_CORRECTION = "report.correction"  # the next closing writes a `correction` of −1.00 on funds
    # the next closing of the unit's ledger holds its transaction open `delay_seconds` of real time before it
    # commits (a crash test's window: kill kasse mid-closing; the date must close once after the restart)
    REPORT_SLOW_CLOSING = "report.slow-closing"

    @property
    def target(self) -> FaultTarget:
        """Tell whether the fault acts on webhook deliveries, ePayment API calls or the Report API."""
        return FaultTarget(self.value.partition(".")[0])


class FaultTarget(StrEnum):
    """Where a fault acts."""

    WEBHOOK = "webhook"
    API = "api"
    REPORT = "report"  # the Report API and the closing of ledger dates (services/report_faults.py)


class Endpoint(StrEnum):
    """The ePayment operations an API fault can be scoped to."""

    CREATE = "create"
    GET = "get"
    EVENTS = "events"
    CAPTURE = "capture"
    REFUND = "refund"
    CANCEL = "cancel"


WEBHOOK_KINDS = frozenset(k for k in FaultKind if k.target is FaultTarget.WEBHOOK)
API_KINDS = frozenset(k for k in FaultKind if k.target is FaultTarget.API)
DELAYED_KINDS = frozenset({FaultKind.WEBHOOK_DELAY, FaultKind.REPORT_LAG})  # the kinds that take delaySeconds
# the HTTP status an API fault answers with instead of running the operation
API_STATUS = {FaultKind.API_500: 500, FaultKind.API_423: 423, FaultKind.API_429: 429}


class FaultSpecError(ValueError):
    """A fault that cannot be armed as asked; `field` names the setting at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True, slots=True)
class Fault:
    """An armed fault. `remaining` None: until disarmed; otherwise how many more times it fires."""

    id: str
    msn: str
    kind: FaultKind
    armed_at: datetime
    endpoint: Endpoint | None = None
    remaining: int | None = None
    delay_seconds: float | None = None

    def matches(self, msn: str, kind: FaultKind, endpoint: Endpoint | None) -> bool:
        """Tell whether this fault fires for `kind` on this sales unit's `endpoint` (None: any)."""
        return (self.msn == msn and self.kind is kind
                and (self.endpoint is None or endpoint is None or self.endpoint is endpoint))


MAX_DELAY_SECONDS = 30 * 24 * 3600  # a later date could leave the calendar
SLOW_CLOSING_SECONDS = 60.0  # how long `report.slow-closing` holds a closing without delaySeconds
MAX_HOLD_SECONDS = 600.0  # real seconds: a held closing blocks the store's writes (SQLite) meanwhile


def check_spec(kind: FaultKind, endpoint: Endpoint | None, times: int | None, delay_seconds: float | None) -> None:
    """Refuse settings that make no sense for the kind, naming the setting."""
    if endpoint is not None and kind.target is not FaultTarget.API:
        raise FaultSpecError("endpoint", "only api.* faults are scoped to an endpoint")
    if times is not None and times < 1:
        raise FaultSpecError("times", "must be at least 1 (leave it out to fire until disarmed)")
    if kind is FaultKind.REPORT_SLOW_CLOSING:
        if delay_seconds is not None and not 0 < delay_seconds <= MAX_HOLD_SECONDS:
            raise FaultSpecError("delaySeconds", f"above 0 and at most {MAX_HOLD_SECONDS:g} seconds of real time")
    elif kind in DELAYED_KINDS:
        if delay_seconds is None or delay_seconds <= 0:
            raise FaultSpecError("delaySeconds", f"{kind} needs a delay above 0 seconds")
        if delay_seconds > MAX_DELAY_SECONDS:
            raise FaultSpecError("delaySeconds", f"at most {MAX_DELAY_SECONDS} seconds (thirty days)")
    elif delay_seconds is not None:
        raise FaultSpecError("delaySeconds", "only webhook.delay, report.lag and report.slow-closing take a delay")
