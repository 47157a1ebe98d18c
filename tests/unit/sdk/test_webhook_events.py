"""Receiving webhooks: the signature check (contract §8.3, with its official vector) and typed events."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest

from kasse.domain import webhook_signature
from kasse.sdk import (
    Amount,
    CheckedInEvent,
    InvalidWebhookError,
    PaymentEventName,
    PaymentWebhookEvent,
    parse_webhook_event,
    verify_webhook,
)

# contract §8.3: the official test vector
SECRET = "A0+AeKBRG2KRGvnNwJpQlb6IJFk48CKXCIcrLoHncVJKDILsQSxS6NWCccwWm6r6FhGKhiHTBsG2wo/xU6FY/A=="
URL = "https://webhook.site/e2cee29b-012e-4f1d-8ef4-e95fd74a7a63"
SENT_AT = datetime(2023, 3, 30, 8, 38, 32, tzinfo=UTC)
BODY = b'{"some-unique-content":"ee6e441b-cc4a-46f8-895d-a5af79bcc233/hello-world"}'
HEADERS = {
    "x-ms-date": "Thu, 30 Mar 2023 08:38:32 GMT",
    "x-ms-content-sha256": "lNlsp1XA03N34HrQsVzPgJKtC+r7l/RBF4V3JQUWMj4=",
    "Host": "webhook.site",
    "Authorization": "HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256"
                     "&Signature=agAiSyogQbDHpeucoNwYz+yAr5nJ+v+zasdkSbqzv+U=",
}


def test_the_official_test_vector_verifies() -> None:
    verify_webhook(HEADERS, BODY, SECRET, URL, now=SENT_AT + timedelta(seconds=3))


@pytest.mark.parametrize(
    ("headers", "body", "secret", "url", "now"),
    [
        (HEADERS, BODY + b" ", SECRET, URL, SENT_AT),
        (HEADERS, BODY, SECRET[:-2], URL, SENT_AT),
        (HEADERS, BODY, SECRET, URL + "?x=1", SENT_AT),
        (HEADERS, BODY, SECRET, URL, SENT_AT + timedelta(minutes=6)),
        ({k: v for k, v in HEADERS.items() if k != "Authorization"}, BODY, SECRET, URL, SENT_AT),
    ],
    ids=["body-changed", "wrong-secret", "other-url", "too-late", "unsigned"],
)
def test_anything_changed_fails_the_check(headers: dict[str, str], body: bytes, secret: str, url: str,
                                          now: datetime) -> None:
    with pytest.raises(InvalidWebhookError):
        verify_webhook(headers, body, secret, url, now=now)


def test_the_tolerance_is_the_callers_choice() -> None:
    verify_webhook(HEADERS, BODY, SECRET, URL, now=SENT_AT + timedelta(minutes=9), tolerance=timedelta(minutes=10))


def test_a_delivery_signed_by_the_platform_code_verifies_against_the_wall_clock() -> None:
    body = b'{"msn":"123456"}'
    signed = webhook_signature.sign("s3cret", "http://127.0.0.1:9000/hooks?till=1", body, datetime.now(UTC))

    verify_webhook(signed.as_dict(), body, "s3cret", "http://127.0.0.1:9000/hooks?till=1")


def test_a_payment_event_is_read_with_its_types() -> None:
    body = json.dumps({"msn": "123456", "reference": "order-1001", "pspReference": "p-2", "name": "AUTHORIZED",
                       "amount": {"currency": "NOK", "value": 35000}, "timestamp": "2023-08-14T12:48:46.260Z",
                       "idempotencyKey": None, "success": True})

    event = parse_webhook_event(body)

    assert isinstance(event, PaymentWebhookEvent)
    assert event.name is PaymentEventName.AUTHORIZED
    assert event.amount == Amount.nok(35000)
    assert event.timestamp == datetime(2023, 8, 14, 12, 48, 46, 260000, tzinfo=UTC)
    assert event.success is True and event.idempotency_key is None


@pytest.mark.parametrize("msn_field", ["msn", "merchantSerialNumber"])
def test_a_check_in_is_read_whichever_name_its_msn_has(msn_field: str) -> None:
    body = json.dumps({"customerToken": "tok", "merchantQrId": "till-1", msn_field: "123456",
                       "initiatedAt": "2023-10-06T10:45:40.3061965Z"}).encode()

    event = parse_webhook_event(body)

    assert event == CheckedInEvent(msn="123456", merchant_qr_id="till-1", customer_token="tok",
                                   initiated_at=datetime(2023, 10, 6, 10, 45, 40, 306196, tzinfo=UTC))


@pytest.mark.parametrize("body", [b"not json", b"[]", b'{"msn": "1"}', b'{"customerToken": "t"}'])
def test_an_unreadable_event_is_an_invalid_webhook(body: bytes) -> None:
    with pytest.raises(InvalidWebhookError):
        parse_webhook_event(body)


ALLOWED_KASSE_MODULES = {"kasse", "kasse.sdk"}
# the server's libraries (httpx may pull in click for its own CLI, which is httpx's business)
FORBIDDEN = ("fastapi", "starlette", "sqlalchemy", "alembic", "pydantic", "jwt", "segno", "PIL", "orjson",
             "granian", "jinja2", "asyncpg", "zxingcpp")


def test_importing_the_sdk_loads_no_server_code() -> None:
    probe = "import json, sys; import kasse.sdk; print(json.dumps(sorted(sys.modules)))"

    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60)

    loaded = set(json.loads(done.stdout))
    kasse_modules = {m for m in loaded if m == "kasse" or m.startswith("kasse.")}
    assert {m for m in kasse_modules if not m.startswith("kasse.sdk.")} <= ALLOWED_KASSE_MODULES
    assert not {m for m in loaded if m.partition(".")[0] in FORBIDDEN}
