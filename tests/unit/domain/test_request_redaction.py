from __future__ import annotations

import json

import pytest

from kasse.domain.request_redaction import (
    MAX_BODY_CHARS,
    REDACTED,
    redact_body,
    redact_headers,
    redact_query,
    reference_in,
)


@pytest.mark.parametrize("name", ["Authorization", "client_secret", "client_id", "Ocp-Apim-Subscription-Key",
                                  "Cookie"])
def test_credential_headers_keep_their_name_but_not_their_value(name: str) -> None:
    kept = redact_headers([(name.encode(), b"s3cr3t-value"), (b"Idempotency-Key", b"k-1")])

    assert kept == {name.lower(): REDACTED, "idempotency-key": "k-1"}


def test_a_webhook_secret_is_redacted_at_any_depth() -> None:
    body = json.dumps({"id": "w1", "secret": "abc", "nested": [{"access_token": "t0k"}]}).encode()

    stored = redact_body(body)

    assert "abc" not in stored and "t0k" not in stored
    assert json.loads(stored) == {"id": "w1", "secret": REDACTED, "nested": [{"access_token": REDACTED}]}


def test_a_form_body_has_its_client_secret_redacted() -> None:
    stored = redact_body(b"grant_type=client_credentials&client_secret=hush", "application/x-www-form-urlencoded")

    assert "hush" not in stored and "grant_type=client_credentials" in stored


def test_an_unparseable_body_that_may_hold_a_secret_is_withheld() -> None:
    stored = redact_body(b'{"secret": "half-written')

    assert "half-written" not in stored and stored.startswith("[withheld")


def test_a_plain_body_is_kept_as_sent() -> None:
    assert redact_body(b'{"amount":{"value":100}}') == '{"amount":{"value":100}}'


def test_a_long_body_is_cut_after_redaction() -> None:
    stored = redact_body(json.dumps({"secret": "x" * 10, "pad": "y" * 10_000}).encode())

    assert len(stored) < MAX_BODY_CHARS + 40 and "more characters" in stored and "xxxxxxxxxx" not in stored


def test_a_query_with_a_secret_parameter_is_redacted() -> None:
    assert redact_query("a=1&client_secret=hush") == "a=1&client_secret=[redacted]"
    assert redact_query("from=2026-01-01") == "from=2026-01-01"


def test_a_creates_reference_is_read_from_its_body() -> None:
    assert reference_in(b'{"amount": {}, "reference" : "r-1"}') == "r-1"
    assert reference_in(b"not json") is None
    assert reference_in(b'{"reference": 5}') is None


def test_a_body_nested_too_deep_to_parse_is_withheld_or_ignored() -> None:
    deep = b'{"secret": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"

    assert redact_body(deep).startswith("[withheld")
    assert reference_in(b'{"reference": ' + b"[" * 100_000) is None
