"""A payment's sequence diagram, drawn from what actually happened, as server-side SVG.

The Vipps in-person guide draws the ideal flow (create, QR shown, scan, approve, webhook, capture, the
POS's check); this draws the recorded one, with its retries, refusals and late webhooks, so a developer
can hold the two side by side. Plain SVG written here: no CDN, no script, readable without a browser.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import Enum, StrEnum
from html import escape


class Lifeline(Enum):
    """The four parties of the in-person flow, left to right as on the Vipps in-person page."""

    MERCHANT = "POS / merchant"
    EPAYMENT = "ePayment API"
    APP = "Customer's app"
    WEBHOOKS = "Webhooks API"


class Outcome(StrEnum):
    """How a message ended: the colour it is drawn in."""

    OK = "ok"
    REFUSED = "refused"  # a 4xx: the caller's mistake or a rule
    FAILED = "failed"  # a 5xx, a timeout, a dropped connection, a dead delivery
    WAITING = "waiting"  # not answered (yet): an attempt still to be retried


@dataclass(frozen=True, slots=True)
class Message:
    """One arrow (or, when source is target, one note on that lifeline)."""

    at: datetime
    source: Lifeline
    target: Lifeline
    label: str
    outcome: Outcome = Outcome.OK
    reply: bool = False  # an answer: drawn dashed
    detail: str = ""  # a second, smaller line (latency, attempt number, pspReference)


LANE, MARGIN_LEFT, TOP, ROW, NOTE_WIDTH = 210, 96, 64, 46, 176
COLOURS = {Outcome.OK: "#14131a", Outcome.REFUSED: "#a25a00", Outcome.FAILED: "#c42b2b", Outcome.WAITING: "#6b6880"}
ORDER = list(Lifeline)


def outcome_of(status: int | None) -> Outcome:
    """The outcome an HTTP status (None: no answer) stands for."""
    if status is None:
        return Outcome.FAILED
    return Outcome.OK if status < 400 else Outcome.REFUSED if status < 500 else Outcome.FAILED


def _x(lifeline: Lifeline) -> int:
    return MARGIN_LEFT + LANE // 2 + ORDER.index(lifeline) * LANE


def _text(x: float, y: float, content: str, *, size: int = 12, anchor: str = "middle", fill: str = "#14131a",
          weight: int = 400) -> str:
    return (f'<text x="{x:.0f}" y="{y:.0f}" font-size="{size}" text-anchor="{anchor}" fill="{fill}" '
            f'font-weight="{weight}">{escape(content)}</text>')


def _clip(label: str, limit: int = 34) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def _heads(height: int) -> list[str]:
    parts = []
    for lifeline in ORDER:
        x = _x(lifeline)
        parts.append(f'<line x1="{x}" y1="{TOP - 16}" x2="{x}" y2="{height - 10}" stroke="#c9c6da" '
                     f'stroke-dasharray="4 4"/>')
        parts.append(f'<rect x="{x - 82}" y="8" width="164" height="34" rx="8" fill="#17152b"/>')
        parts.append(_text(x, 30, lifeline.value, size=13, fill="#fff", weight=600))
    return parts


def _arrow(message: Message, y: int) -> list[str]:
    colour = COLOURS[message.outcome]
    x1, x2 = _x(message.source), _x(message.target)
    direction = 1 if x2 > x1 else -1
    tip = x2 - direction * 2
    dash = ' stroke-dasharray="6 4"' if message.reply else ""
    head = f"{tip},{y} {tip - direction * 9},{y - 5} {tip - direction * 9},{y + 5}"
    middle = (x1 + x2) / 2
    return [
        f'<line x1="{x1}" y1="{y}" x2="{tip - direction * 8}" y2="{y}" stroke="{colour}" stroke-width="1.6"{dash}/>',
        f'<polygon points="{head}" fill="{colour}"/>',
        _text(middle, y - 7, _clip(message.label, 30), fill=colour, weight=600),
        *([_text(middle, y + 15, _clip(message.detail, 36), size=10, fill="#6b6880")] if message.detail else []),
    ]


def _note(message: Message, y: int) -> list[str]:
    colour = COLOURS[message.outcome]
    x = _x(message.source)
    return [
        f'<rect x="{x - NOTE_WIDTH / 2:.0f}" y="{y - 16}" width="{NOTE_WIDTH}" height="{32 if message.detail else 24}" '
        f'rx="6" fill="#fff8e6" stroke="{colour}"/>',
        _text(x, y + 1, _clip(message.label, 26), size=11, fill=colour, weight=600),
        *([_text(x, y + 12, _clip(message.detail, 30), size=9, fill="#6b6880")] if message.detail else []),
    ]


def draw(messages: Sequence[Message], *, title: str = "") -> str:
    """Return the SVG of `messages` in time order (ties keep their given order), one row each."""
    ordered = sorted(enumerate(messages), key=lambda pair: (pair[1].at, pair[0]))
    height = TOP + ROW * max(len(ordered), 1) + 24
    width = MARGIN_LEFT + LANE * len(ORDER) + 12
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
             f'height="{height}" role="img" aria-label="{escape(title or "Sequence diagram")}" '
             f'font-family="system-ui, sans-serif" class="sequence">',
             f"<title>{escape(title or 'Sequence diagram')}</title>",
             f'<rect width="{width}" height="{height}" fill="#fff"/>', *_heads(height)]
    if not ordered:
        parts.append(_text(width / 2, TOP + 24, "Nothing recorded for this payment yet.", fill="#6b6880"))
    for row, (_, message) in enumerate(ordered):
        y = TOP + 22 + row * ROW
        parts.append(_text(8, y + 4, message.at.strftime("%H:%M:%S.%f")[:12], size=10, anchor="start",
                           fill="#6b6880"))
        parts.extend(_note(message, y) if message.source is message.target else _arrow(message, y))
    parts.append("</svg>")
    return "\n".join(parts)
