import pytest

from kasse.domain.webhook_registration import (
    CHECKED_IN,
    EVENT_TYPES,
    LIMITS,
    PAYMENT_EVENTS,
    InvalidRegistrationError,
    check_events,
    check_limits,
    check_url,
)


def test_there_are_eight_payment_events_and_the_check_in() -> None:
    assert len(PAYMENT_EVENTS) == 8
    assert set(EVENT_TYPES) == {*PAYMENT_EVENTS, CHECKED_IN}
    assert "epayments.payment.authorized.v1" in PAYMENT_EVENTS


@pytest.mark.parametrize(
    "url",
    ["https://example.com/hook", "https://example.com:443/h?x=1", "https://example.com:8080/", "https://x.io:80/"],
)
@pytest.mark.parametrize("production", [True, False])
def test_https_on_a_common_port_is_accepted_everywhere(url: str, production: bool) -> None:
    check_url(url, production=production)


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1:9000/hook", "http://localhost:3000/", "http://[::1]:8001/x", "https://localhost:8443/"],
)
def test_loopback_on_any_port_is_accepted_in_test_mode_only(url: str) -> None:
    check_url(url, production=False)
    with pytest.raises(InvalidRegistrationError):
        check_url(url, production=True)


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("http://example.com/hook", "https"),
        ("https://example.com:8443/hook", "port"),
        ("ftp://example.com/hook", "absolute"),
        ("/relative/hook", "absolute"),
        ("not-a-url", "absolute"),
        ("not a url", "spaces"),
        ("https://", "absolute"),
        ("https://user:pw@example.com/", "credentials"),
        ("https://example.com:99999/", "absolute"),
        ("https://example.com/" + "a" * 2100, "at most"),
    ],
)
@pytest.mark.parametrize("production", [True, False])
def test_other_urls_are_refused_naming_the_field(url: str, why: str, production: bool) -> None:
    with pytest.raises(InvalidRegistrationError) as refused:
        check_url(url, production=production)

    assert refused.value.problems[0][0] == "url"
    assert why in refused.value.problems[0][1]


def test_events_are_deduplicated_in_order() -> None:
    assert check_events([CHECKED_IN, PAYMENT_EVENTS[0], CHECKED_IN]) == (CHECKED_IN, PAYMENT_EVENTS[0])


@pytest.mark.parametrize("events", [[], ["epayments.payment.created.v2"], ["payment.created"]])
def test_unknown_or_no_events_are_refused(events: list[str]) -> None:
    with pytest.raises(InvalidRegistrationError) as refused:
        check_events(events)

    assert refused.value.problems[0][0] == "events"


def test_twenty_five_registrations_per_payment_event_and_one_check_in() -> None:
    assert {LIMITS[e] for e in PAYMENT_EVENTS} == {25}
    assert LIMITS[CHECKED_IN] == 1
    check_limits([PAYMENT_EVENTS[0]], {PAYMENT_EVENTS[0]: 24})

    with pytest.raises(InvalidRegistrationError, match="limit is 25"):
        check_limits([PAYMENT_EVENTS[1], PAYMENT_EVENTS[0]], {PAYMENT_EVENTS[0]: 25})
    with pytest.raises(InvalidRegistrationError, match="limit is 1"):
        check_limits([CHECKED_IN], {CHECKED_IN: 1})
