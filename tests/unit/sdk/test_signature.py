"""The SDK's own signature check holds to the contract's test vector and accepts what kasse signs."""

from datetime import UTC, datetime, timedelta

import pytest

from kasse.domain.webhook_signature import sign
from kasse.sdk._signature import SignatureMismatchError, check, expected_authorization

# contract §8.3: the official test vector
SECRET = "A0+AeKBRG2KRGvnNwJpQlb6IJFk48CKXCIcrLoHncVJKDILsQSxS6NWCccwWm6r6FhGKhiHTBsG2wo/xU6FY/A=="
URL = "https://webhook.site/e2cee29b-012e-4f1d-8ef4-e95fd74a7a63"
DATE = "Thu, 30 Mar 2023 08:38:32 GMT"
BODY = b'{"some-unique-content":"ee6e441b-cc4a-46f8-895d-a5af79bcc233/hello-world"}'
HASH = "lNlsp1XA03N34HrQsVzPgJKtC+r7l/RBF4V3JQUWMj4="
AT = datetime(2023, 3, 30, 8, 38, 32, tzinfo=UTC)
OFFICIAL = {"x-ms-date": DATE, "x-ms-content-sha256": HASH, "host": "webhook.site",
            "authorization": "HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256"
                             "&Signature=agAiSyogQbDHpeucoNwYz+yAr5nJ+v+zasdkSbqzv+U="}


def test_the_expected_authorization_matches_the_official_vector() -> None:
    assert expected_authorization(SECRET, URL, DATE, HASH) == OFFICIAL["authorization"]


def test_the_official_delivery_checks_out() -> None:
    check(OFFICIAL, BODY, SECRET, URL, now=AT + timedelta(seconds=10))


@pytest.mark.parametrize("url", ["http://127.0.0.1:9000/hooks?till=1&x=%20", "http://[::1]:8080/", "https://h/p"])
def test_what_kasse_signs_the_sdk_accepts(url: str) -> None:
    check(sign("s3cret", url, BODY, AT).as_dict(), BODY, "s3cret", url, now=AT)


@pytest.mark.parametrize(
    ("headers", "body", "secret", "now"),
    [
        (OFFICIAL, BODY + b" ", SECRET, AT),
        (OFFICIAL, BODY, SECRET + "x", AT),
        (OFFICIAL, BODY, SECRET, AT + timedelta(minutes=6)),
        ({**OFFICIAL, "x-ms-date": "yesterday"}, BODY, SECRET, AT),
        ({k: v for k, v in OFFICIAL.items() if k != "authorization"}, BODY, SECRET, AT),
    ],
)
def test_anything_off_is_refused(headers: dict[str, str], body: bytes, secret: str, now: datetime) -> None:
    with pytest.raises(SignatureMismatchError):
        check(headers, body, secret, URL, now=now)
