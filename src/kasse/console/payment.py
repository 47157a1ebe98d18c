"""`/console/payments/{msn}/{reference}`: one payment, its aggregate, receipt, customer and one timeline.

The actions on it are forms handled in `payment_actions`; the page refreshes its live parts while visible.
"""

from __future__ import annotations

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from kasse.console.sequence import draw
from kasse.console.timeline import PaymentStory, payment_story
from kasse.console.traffic import customer_messages, payment_messages
from kasse.console.views import console_container, render
from kasse.domain.payment_state import PaymentState

router = APIRouter(include_in_schema=False)

# what `?done=` says after an action went through (a fixed set: a link cannot make the page say anything else)
NOTICES = {
    "approved": "Approved as the customer.",
    "rejected": "Rejected as the customer.",
    "expired": "Expired now.",
    "captured": "Captured.",
    "refunded": "Refunded.",
    "cancelled": "Cancelled.",
    "redelivered": "The webhook delivery is queued to be sent again now.",
}


def bar(story: PaymentStory) -> list[tuple[str, int, float]]:
    """The aggregate as bar segments (name, amount, % of the amount): captured then refunded inside it, cancelled,
    and what is authorized but neither captured nor cancelled."""
    p = story.payment
    total = max(p.amount.value, 1)
    parts = [("refunded", p.refunded), ("captured", p.captured - p.refunded), ("cancelled", p.cancelled),
             ("reserved", p.authorized - p.captured - p.cancelled)]
    return [(name, amount, round(100 * amount / total, 2)) for name, amount in parts if amount > 0]


def sequence_svg(story: PaymentStory) -> str:
    """The payment's sequence diagram, drawn from its recorded requests, events, wallet steps and deliveries."""
    requests = [e.item for e in story.entries if e.kind == "request"]
    events = [e.item for e in story.entries if e.kind == "event"]
    p = story.payment
    return draw(payment_messages(requests, events, story.deliveries, p.reference, customer_messages(story.wallet)),
                title=f"{p.msn} {p.reference}")


async def show(request: Request, msn: str, reference: str, *, status: int = 200, error: str | None = None) -> Response:
    """Render the payment's page (also after a refused action, with its error); 404 when there is no such payment."""
    c = console_container(request)
    story = await c.db.query(lambda uow: payment_story(uow, msn, reference))
    if story is None:
        return render(request, "payment_missing.html", "payments", status=404, msn=msn, reference=reference)
    p = story.payment
    return render(
        request, "payment.html", "payments", status=status, error=error, story=story, p=p, bar=bar(story),
        notice=NOTICES.get(request.query_params.get("done", "")) if error is None else None,
        waiting=p.state is PaymentState.CREATED, capturable=p.authorized - p.captured - p.cancelled,
        refundable=p.captured - p.refunded, currency=p.amount.currency.value, sequence=sequence_svg(story),
    )


@router.get("/console/payments/{msn}/{reference}")
async def payment_page(request: Request, msn: str, reference: str) -> Response:
    """One payment's page, or a 404 page naming what was asked for."""
    return await show(request, msn, reference)
