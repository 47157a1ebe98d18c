"""How the console's forms post: bounded fields, a 303 back with a notice, the notice read back on the page.

A form that changes something redirects (post/redirect/get), so reloading the page never repeats it; what it
did travels in the `notice` query parameter, bounded, and is shown as text (the templates escape it).
"""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse

MAX_NOTICE = 600  # characters of a notice carried in a redirect


class FormError(ValueError):
    """A form field that cannot be used as sent; the page shows the message with a 400 and changes nothing."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def text_field(form: FormData, name: str, max_length: int, *, required: bool = True) -> str:
    """Return a text field, stripped; refuse a missing one (when required) or one too long."""
    raw = form.get(name)
    value = raw.strip() if isinstance(raw, str) else ""
    if required and not value:
        raise FormError(name, f"{name} is required")
    if len(value) > max_length:
        raise FormError(name, f"{name} is at most {max_length} characters")
    return value


def int_field(form: FormData, name: str, low: int, high: int) -> int | None:
    """Return a whole number field in [low, high], or None when left empty."""
    value = text_field(form, name, 12, required=False)
    if not value:
        return None
    if not (value.isascii() and value.isdigit()) or not low <= int(value) <= high:
        raise FormError(name, f"{name} must be a whole number from {low} to {high}")
    return int(value)


def back(path: str, notice: str) -> RedirectResponse:
    """Redirect (303) to a console page with a notice saying what was done."""
    return RedirectResponse(f"{path}?{urlencode({'notice': notice[:MAX_NOTICE]})}", status_code=303)


def notice_of(request: Request) -> str | None:
    """Return the notice a redirect carried to this page, bounded."""
    notice = request.query_params.get("notice")
    return notice[:MAX_NOTICE] if notice else None
