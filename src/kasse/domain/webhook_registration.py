"""Webhook registrations (contract §8.1): the event types, which URLs are acceptable, and the limits.

A registration belongs to one sales unit and carries its own secret. Production accepts only https
on the ports the real platform sends to, to public addresses (`webhook_target.TargetPolicy`); test mode
also accepts loopback on any port, so a POS on a developer's machine can receive webhooks.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from kasse.domain.payment_state import EventName
from kasse.domain.webhook_target import TargetPolicy

PAYMENT_EVENTS: tuple[str, ...] = tuple(name.webhook_event for name in EventName)
CHECKED_IN = "user.checked-in.v1"
EVENT_TYPES: tuple[str, ...] = (*PAYMENT_EVENTS, CHECKED_IN)

# contract §8.1: at most 25 registrations per ePayment event type and sales unit, one for check-ins
LIMITS: dict[str, int] = {**dict.fromkeys(PAYMENT_EVENTS, 25), CHECKED_IN: 1}

PRODUCTION_PORTS = frozenset({80, 443, 8080})
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "::1", "localhost"})
MAX_URL_LENGTH = 2048


@dataclass(frozen=True, slots=True)
class Registration:
    """A sales unit's webhook: where to send which events, and the secret that signs them."""

    id: str
    msn: str
    url: str
    secret: str
    events: tuple[str, ...]
    created_at: datetime


class InvalidRegistrationError(ValueError):
    """A registration the rules refuse; `problems` names each bad field and why."""

    def __init__(self, detail: str, problems: Sequence[tuple[str, str]]) -> None:
        super().__init__(detail)
        self.detail = detail
        self.problems = list(problems)


def _url_problem(url: str, production: bool, targets: TargetPolicy) -> str | None:
    if len(url) > MAX_URL_LENGTH:
        return f"must be at most {MAX_URL_LENGTH} characters"
    if any(ch.isspace() or unicodedata.category(ch) == "Cc" for ch in url):
        return "must not contain spaces or control characters"
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return "must be an absolute http(s) URL"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "must be an absolute http(s) URL"
    if parts.username is not None or parts.password is not None or parts.fragment:
        return "must not contain credentials or a fragment"
    if not production and parts.hostname in LOOPBACK_HOSTS:
        return None  # test mode: a receiver on this machine, any port, http or https
    if parts.scheme != "https":
        return "must use https (plain http only to 127.0.0.1, ::1 or localhost in test mode)"
    if port is not None and port not in PRODUCTION_PORTS:
        return "must use port 80, 443 or 8080"
    refused = targets.host_refusal(parts.hostname) if production else None
    return None if refused is None else f"must name a public host: {refused}"


def check_url(url: str, *, production: bool, targets: TargetPolicy | None = None) -> None:
    """Accept an absolute https URL on a common port to a public host, or (test mode) any loopback URL.

    `targets` adds the networks an operator allowed besides public addresses (production only).

    Raises:
        InvalidRegistrationError: the URL is refused; the reason names the rule.
    """
    problem = _url_problem(url, production, targets or TargetPolicy())
    if problem is not None:
        raise InvalidRegistrationError(f"The url {problem}.", [("url", problem)])


def check_events(events: Sequence[str]) -> tuple[str, ...]:
    """Return the event types without repeats, in the order given.

    Raises:
        InvalidRegistrationError: the list is empty or names an unknown event type.
    """
    if not events:
        raise InvalidRegistrationError("At least one event is required.", [("events", "must not be empty")])
    unknown = [e for e in events if e not in LIMITS]
    if unknown:
        reason = f"unknown event type(s) {', '.join(unknown)}; known: {', '.join(EVENT_TYPES)}"
        raise InvalidRegistrationError(f"Unknown event type: {unknown[0]}", [("events", reason)])
    return tuple(dict.fromkeys(events))


def check_limits(events: Sequence[str], registered: Mapping[str, int]) -> None:
    """Refuse a registration that would exceed a per-event limit, given how many the sales unit has.

    Raises:
        InvalidRegistrationError: an event type already has its maximum number of registrations.
    """
    full = [e for e in events if registered.get(e, 0) >= LIMITS[e]]
    if full:
        reasons = [("events", f"{e} already has the maximum of {LIMITS[e]} registration(s)") for e in full]
        raise InvalidRegistrationError(
            f"Too many registrations for {full[0]}: the limit is {LIMITS[full[0]]} per sales unit.", reasons
        )
