"""Receiving webhooks: check the signature (contract §8.3), then read the event (§8.2, §5.4a).

The signature check (`_signature.py`) follows contract §8.3 and its test vector, as kasse's signing does.
Deliveries may repeat and arrive late: handle each event idempotently and check `success`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

from kasse.sdk import _signature
from kasse.sdk._errors import InvalidWebhookError
from kasse.sdk._webhook_models import CheckedInEvent, PaymentWebhookEvent, WebhookEvent
from kasse.sdk._wire import WireFormatError, from_wire

DEFAULT_TOLERANCE = _signature.DEFAULT_TOLERANCE


def verify_webhook(
    headers: Mapping[str, str],
    body: bytes,
    secret: str,
    url: str,
    now: datetime | None = None,
    tolerance: timedelta = DEFAULT_TOLERANCE,
) -> None:
    """Check that a delivery was signed with `secret` for `url`, with this body, recently.

    `url` is the URL exactly as registered; `body` the raw request bytes, before any JSON parsing.

    Raises:
        InvalidWebhookError: the signature, content hash or date does not check out; answer 401.

    Example:
        >>> verify_webhook(request.headers, await request.body(), secret, "https://pos.example.com/hooks")
        >>> event = parse_webhook_event(await request.body())
    """
    try:
        _signature.check(headers, body, secret, url, now=now or datetime.now(UTC), tolerance=tolerance)
    except _signature.SignatureMismatchError as exc:
        raise InvalidWebhookError(str(exc)) from None


def parse_webhook_event(body: bytes | str) -> WebhookEvent:
    """Return the event a delivery carries: a payment event or a check-in.

    Raises:
        InvalidWebhookError: the body is not JSON or not one of the known event shapes.

    Example:
        >>> event = parse_webhook_event(body)
        >>> if isinstance(event, PaymentWebhookEvent) and event.name is PaymentEventName.AUTHORIZED:
        ...     capture(event.reference)
    """
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidWebhookError(f"the body is not JSON: {exc}") from None
    if not isinstance(data, dict):
        raise InvalidWebhookError("the body is not a JSON object")
    try:
        if "customerToken" in data:
            # contract §5.4a: older documents call the MSN `merchantSerialNumber`
            if "msn" not in data and "merchantSerialNumber" in data:
                data = {**data, "msn": data["merchantSerialNumber"]}
            return from_wire(CheckedInEvent, data)
        return from_wire(PaymentWebhookEvent, data)
    except (WireFormatError, ValueError, TypeError) as exc:
        raise InvalidWebhookError(f"not a known webhook event: {exc}") from None
