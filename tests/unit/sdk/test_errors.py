"""Error responses become one exception class per thing the caller does next, with the problem's fields."""

from __future__ import annotations

import httpx
import pytest

from kasse.sdk import (
    ApiError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    ExtraDetail,
    KasseError,
    LockedError,
    NetworkError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitedError,
    ServerError,
    UnexpectedResponseError,
)
from kasse.sdk._errors import error_from_response
from tests.unit.sdk.fakes import FakeApi, problem

GET = "/epayment/v1/payments/order-1001"


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, BadRequestError),
        (401, AuthenticationError),
        (403, PermissionDeniedError),
        (404, NotFoundError),
        (405, BadRequestError),
        (409, ConflictError),
        (415, BadRequestError),
        (422, BadRequestError),
        (423, LockedError),
        (429, RateLimitedError),
        (500, ServerError),
        (503, ServerError),
    ],
)
def test_each_status_has_its_class(status: int, cls: type[ApiError]) -> None:
    error = error_from_response(problem(status))

    assert type(error) is cls
    assert isinstance(error, ApiError) and isinstance(error, KasseError)
    assert error.status == status


def test_an_epayment_problem_gives_its_error_code_and_every_field() -> None:
    response = problem(400, "6080", title="Cannot capture before reservation", detail="Payment is CREATED",
                       instance="/v1/payments/order-1001/capture")

    error = error_from_response(response)

    assert isinstance(error, BadRequestError)
    assert error.error_code == "6080"
    assert error.title == "Cannot capture before reservation"
    assert error.detail == "Payment is CREATED"
    assert error.instance == "/v1/payments/order-1001/capture"
    assert error.type == "https://httpstatuses.io/400"
    assert error.trace_id == "00-trace-01"
    assert error.extra_details == (ExtraDetail("ErrorCode", "6080"),)
    assert str(error) == "400 Cannot capture before reservation (ErrorCode 6080): Payment is CREATED"


@pytest.mark.parametrize(
    ("title", "detail", "said"),
    [
        ("Payment cannot be captured", "Payment cannot be captured (payment is EXPIRED)",
         "400 Payment cannot be captured (ErrorCode 6200): payment is EXPIRED"),
        ("Payment cannot be captured", "Payment cannot be captured", "400 Payment cannot be captured (ErrorCode 6200)"),
        ("Payment cannot be captured", "Payment cannot be captured: the payment is EXPIRED.",
         "400 Payment cannot be captured (ErrorCode 6200): the payment is EXPIRED."),
        ("Payment cannot be captured", None, "400 Payment cannot be captured (ErrorCode 6200)"),
    ],
)
def test_the_message_says_the_title_once_with_the_code(title: str, detail: str | None, said: str) -> None:
    error = error_from_response(problem(400, "6200", title=title, detail=detail))

    assert str(error) == said
    assert str(error).count(title) == 1


def test_a_validation_problem_names_the_bad_fields_and_has_no_error_code() -> None:
    response = problem(400, extraDetails=[{"name": "reference", "reason": "must match ^[a-zA-Z0-9-]{8,64}$"}])

    error = error_from_response(response)

    assert error.error_code is None
    assert error.extra_details == (ExtraDetail("reference", "must match ^[a-zA-Z0-9-]{8,64}$"),)


def test_the_qr_and_order_management_shape_gives_invalid_params() -> None:
    body = {"type": "about:blank", "title": "Bad Request", "detail": "One or more validation errors occurred.",
            "instance": "/v1/merchant-redirect", "invalidParams": [{"name": "redirectUrl", "reason": "not https"}]}

    error = error_from_response(httpx.Response(400, json=body))

    assert isinstance(error, BadRequestError)
    assert error.invalid_params == (ExtraDetail("redirectUrl", "not https"),)
    assert error.trace_id is None and error.extra_details == ()


def test_a_web_page_for_an_answer_reads_as_one_line_of_its_text() -> None:
    page = ("<!DOCTYPE html>\n<html>\n<head><title>502 Bad Gateway</title></head>\n<body>\n"
            "<center><h1>502 Bad Gateway</h1></center>\n<hr><center>nginx</center>\n</body>\n</html>\n")

    error = error_from_response(httpx.Response(502, text=page, headers={"content-type": "text/html"}))

    assert isinstance(error, ServerError)
    assert len(str(error).splitlines()) == 1 and "<" not in str(error), str(error)
    assert error.detail is not None and "502 Bad Gateway" in error.detail and "nginx" in error.detail


def test_a_gateway_error_without_a_body_still_has_a_class_and_a_title() -> None:
    error = error_from_response(httpx.Response(401, text=""))

    assert isinstance(error, AuthenticationError)
    assert error.title == "Unauthorized"
    assert error.detail is None


def test_a_plain_text_error_keeps_the_text_as_detail() -> None:
    error = error_from_response(httpx.Response(502, text="Bad gateway, upstream down"))

    assert isinstance(error, ServerError)
    assert error.detail == "Bad gateway, upstream down"


def test_rate_limited_carries_retry_after() -> None:
    api = FakeApi().script(GET, problem(429, headers={"Retry-After": "12"}))

    with pytest.raises(RateLimitedError) as raised:
        api.client(attempts=1).payments.get("order-1001")

    assert raised.value.retry_after == 12.0


def test_a_success_with_a_body_of_the_wrong_shape_is_an_unexpected_response() -> None:
    api = FakeApi().script(GET, httpx.Response(200, json={"reference": "order-1001", "state": "CREATED"}))

    with pytest.raises(UnexpectedResponseError, match="aggregate"):
        api.client().payments.get("order-1001")


def test_a_success_with_a_body_that_is_not_json_is_an_unexpected_response() -> None:
    api = FakeApi().script(GET, httpx.Response(200, text="<html>proxy</html>"))

    with pytest.raises(UnexpectedResponseError):
        api.client().payments.get("order-1001")


def test_network_errors_are_kasse_errors_and_keep_their_cause() -> None:
    api = FakeApi().script(GET, httpx.ConnectError("refused"))

    with pytest.raises(NetworkError) as raised:
        api.client(attempts=1).payments.get("order-1001")

    assert isinstance(raised.value, KasseError)
    assert isinstance(raised.value.__cause__, httpx.ConnectError)
