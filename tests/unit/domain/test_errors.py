import pytest

from kasse.domain.errors import DomainError, ErrorCode, NotFoundError


def test_every_error_code_is_a_distinct_number() -> None:
    numbers = [member.value for member in ErrorCode.__members__.values()]

    assert len(numbers) == len(set(numbers))


@pytest.mark.parametrize("code", list(ErrorCode))
def test_every_error_code_has_a_title(code: ErrorCode) -> None:
    assert code.title.strip() == code.title
    assert code.title


def test_titles_are_distinct() -> None:
    titles = [code.title for code in ErrorCode]

    assert len(titles) == len(set(titles))


@pytest.mark.parametrize(
    ("code", "number", "title"),
    [
        (ErrorCode.CAPTURE_BEFORE_RESERVATION, 6080, "Cannot capture before reservation"),
        (ErrorCode.REFERENCE_EXISTS, 4150, "Reference already exists"),
        (ErrorCode.APPROVE_FAILED, 10010, "Approve failed"),
    ],
)
def test_codes_keep_the_contracts_numbers_and_titles(code: ErrorCode, number: int, title: str) -> None:
    assert (int(code), code.title) == (number, title)
    assert ErrorCode(number) is code


def test_a_domain_error_without_detail_shows_its_title() -> None:
    err = DomainError(ErrorCode.CAPTURE_AMOUNT_TOO_HIGH)

    assert (err.code, err.detail, str(err)) == (ErrorCode.CAPTURE_AMOUNT_TOO_HIGH, "Capture amount too high",
                                               "Capture amount too high")


def test_a_domain_error_keeps_its_detail() -> None:
    err = DomainError(ErrorCode.INVALID_AMOUNT, "must be positive")

    assert (err.detail, str(err)) == ("must be positive", "must be positive")


def test_not_found_is_the_reference_not_found_code() -> None:
    err = NotFoundError("Payment with reference 'x' not found")

    assert isinstance(err, DomainError)
    assert err.code is ErrorCode.REFERENCE_NOT_FOUND
    assert err.detail == "Payment with reference 'x' not found"
