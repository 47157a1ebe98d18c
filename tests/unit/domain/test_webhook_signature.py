from datetime import UTC, datetime, timedelta

import pytest

from kasse.domain.webhook_signature import SignatureError, content_hash, sign, signature, verify

# contract §8.3: the official test vector
SECRET = "A0+AeKBRG2KRGvnNwJpQlb6IJFk48CKXCIcrLoHncVJKDILsQSxS6NWCccwWm6r6FhGKhiHTBsG2wo/xU6FY/A=="
URL = "https://webhook.site/e2cee29b-012e-4f1d-8ef4-e95fd74a7a63"
DATE = "Thu, 30 Mar 2023 08:38:32 GMT"
BODY = b'{"some-unique-content":"ee6e441b-cc4a-46f8-895d-a5af79bcc233/hello-world"}'
AT = datetime(2023, 3, 30, 8, 38, 32, tzinfo=UTC)


def test_content_hash_matches_the_official_vector() -> None:
    assert content_hash(BODY) == "lNlsp1XA03N34HrQsVzPgJKtC+r7l/RBF4V3JQUWMj4="


def test_signature_matches_the_official_vector() -> None:
    assert signature(SECRET, URL, DATE, content_hash(BODY)) == "agAiSyogQbDHpeucoNwYz+yAr5nJ+v+zasdkSbqzv+U="


def test_signed_headers_carry_date_host_hash_and_authorization() -> None:
    headers = sign(SECRET, URL, BODY, AT).as_dict()

    assert headers["x-ms-date"] == DATE
    assert headers["host"] == "webhook.site"
    assert headers["authorization"] == (
        "HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256"
        "&Signature=agAiSyogQbDHpeucoNwYz+yAr5nJ+v+zasdkSbqzv+U="
    )


def test_a_signed_delivery_verifies() -> None:
    verify(sign(SECRET, URL, BODY, AT).as_dict(), BODY, SECRET, URL, now=AT + timedelta(seconds=30))


@pytest.mark.parametrize(
    ("body", "secret", "now", "why"),
    [
        (BODY + b" ", SECRET, AT, "content hash"),
        (BODY, SECRET + "x", AT, "signature"),
        (BODY, SECRET, AT + timedelta(minutes=6), "tolerance"),
    ],
)
def test_tampering_is_detected(body: bytes, secret: str, now: datetime, why: str) -> None:
    headers = sign(SECRET, URL, BODY, AT).as_dict()

    with pytest.raises(SignatureError, match=why):
        verify(headers, body, secret, URL, now=now)
