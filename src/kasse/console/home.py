"""`/console`: the console opens on its payments."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import RedirectResponse

router = APIRouter(include_in_schema=False)


@router.get("/console")
async def console_home() -> RedirectResponse:
    """The console has no page of its own: it opens on the payments."""
    return RedirectResponse("/console/payments", status_code=303)
