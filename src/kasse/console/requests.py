"""`/console/requests`: the request log of the official APIs, filterable and live.

Newest first. Each row opens (a `<details>`, so without JS too) on the request's headers and both bodies,
secrets redacted at recording; its reference links to the payment's own page. The page polls
`/console/requests/rows?after=<newest id>` for the rows that came since, rendered by the same template,
and puts them on top. The method/path text filter looks through the newest `WINDOW` requests that pass
the other filters (the store's indexes serve sales unit, reference, status and id, not free text).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import HTMLResponse

from kasse.console.views import TEMPLATES, console_container, render
from kasse.services.read_models import STATUS_CLASSES, RequestRecord

router = APIRouter(include_in_schema=False)

PAGE = 100  # rows a page shows
WINDOW = 1000  # requests the text filter looks through
MAX_TEXT = 200


class FilterError(ValueError):
    """A filter the page cannot use; the page says which, with a 400."""


@dataclass(frozen=True)
class Filters:
    """What the page is asked to show; `text` is matched against method, path and query."""

    msn: str | None = None
    reference: str | None = None
    status: str | None = None
    text: str | None = None
    before: int | None = None

    def query(self, **changes: Any) -> str:
        """Return these filters as a query string, with `changes` applied (None drops a parameter)."""
        values = {"msn": self.msn, "reference": self.reference, "status": self.status, "q": self.text,
                  "before": self.before, **changes}
        return urlencode({k: v for k, v in values.items() if v not in (None, "")})


def _text(raw: str | None, name: str) -> str | None:
    value = (raw or "").strip()
    if len(value) > MAX_TEXT:
        raise FilterError(f"The {name} filter is at most {MAX_TEXT} characters.")
    return value or None


def _id(raw: str | None, name: str) -> int | None:
    if not raw:
        return None
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 18:
        raise FilterError(f"{name} must be a request id (a whole number).")
    return int(raw)


def parse_filters(request: Request) -> Filters:
    """Read the page's filters from its query string.

    Raises:
        FilterError: one is too long or not of its form.
    """
    q = request.query_params
    status = _text(q.get("status"), "status")
    if status is not None and status.lower() not in STATUS_CLASSES and not (
            len(status) == 3 and status.isdigit() and status[0] in "12345"):
        raise FilterError("The status filter is 2xx, 3xx, 4xx, 5xx or a status code such as 404.")
    return Filters(msn=_text(q.get("msn"), "sales unit"), reference=_text(q.get("reference"), "reference"),
                   status=status.lower() if status else None, text=_text(q.get("q"), "method/path"),
                   before=_id(q.get("before"), "before"))


def pretty(body: str) -> str:
    """A JSON body indented for reading; anything else as stored."""
    if not body or body[0] not in "[{":
        return body
    try:
        return json.dumps(json.loads(body), indent=2, ensure_ascii=False)
    except ValueError:
        return body


def status_tone(status: int) -> str:
    """The chip colour of a status: good (2xx), wait (1xx, 3xx) or bad (4xx, 5xx, dropped)."""
    return "good" if 200 <= status < 300 else "wait" if status < 400 and status else "bad"


TEMPLATES.env.filters.update(pretty_body=pretty, status_tone=status_tone)


def _matches(record: RequestRecord, text: str | None) -> bool:
    return text is None or text.lower() in f"{record.method} {record.path}?{record.query}".lower()


def _find(request: Request, f: Filters, *, after: int = 0) -> list[RequestRecord]:
    """Return the matching requests, newest first."""
    c = console_container(request)
    window = WINDOW if f.text else PAGE
    found = c.db.read(lambda uow: uow.request_log.search(msn=f.msn, reference=f.reference, status=f.status,
                                                         after=after, before=f.before, limit=window))
    return [r for r in reversed(found) if _matches(r, f.text)][:PAGE]


@router.get("/console/requests")
async def requests_page(request: Request) -> HTMLResponse:
    """The request log, newest first."""
    c = console_container(request)
    units = c.db.read(lambda uow: [m.msn for m in uow.merchants.list()])
    try:
        f = parse_filters(request)
    except FilterError as exc:
        return render(request, "requests.html", "requests", status=400, error=str(exc), filters=Filters(),
                      rows=[], units=units, statuses=STATUS_CLASSES, older=None, newest=0)
    rows = _find(request, f)
    # live updates follow the whole log from its newest request, whether or not that one passes the filters
    newest = c.db.read(lambda uow: [r.id for r in uow.request_log.search(limit=1)])
    older = f.query(before=rows[-1].id) if len(rows) == PAGE else None
    return render(request, "requests.html", "requests", filters=f, rows=rows, units=units,
                  statuses=STATUS_CLASSES, older=older, newest=newest[0] if newest else 0, live=f.before is None)


@router.get("/console/requests/rows")
async def new_rows(request: Request) -> HTMLResponse:
    """The rows that came after `after`, newest first, for the page's live updates."""
    try:
        f = parse_filters(request)
        after = _id(request.query_params.get("after"), "after") or 0  # 0: an empty log at load, so all are new
    except FilterError as exc:
        return HTMLResponse(str(exc), status_code=400)
    rows = _find(request, Filters(f.msn, f.reference, f.status, f.text), after=after)
    return TEMPLATES.TemplateResponse(request, "request_rows.html", {"rows": rows})
