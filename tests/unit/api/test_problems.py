import os
from pathlib import Path

import orjson
import pytest

from kasse.api.problems import STATUS_OF_CODE, domain_problem, error_table_markdown, status_of
from kasse.domain.errors import DomainError, ErrorCode

DOC = Path(__file__).resolve().parents[3] / "docs" / "errors.md"


def test_the_error_table_doc_matches_the_code() -> None:
    if os.environ.get("KASSE_REGENERATE_DOCS"):
        DOC.write_text(error_table_markdown())

    assert DOC.read_text() == error_table_markdown(), "run with KASSE_REGENERATE_DOCS=1 to regenerate docs/errors.md"


@pytest.mark.parametrize(
    ("code", "status"),
    [
        (ErrorCode.REFERENCE_EXISTS, 409),
        (ErrorCode.CAPTURE_IDEMPOTENCY_CONFLICT, 409),
        (ErrorCode.REFERENCE_NOT_FOUND, 404),
        (ErrorCode.PUSH_MESSAGE_NOT_ALLOWED, 403),
        (ErrorCode.ORDER_PROCESSING, 423),
        (ErrorCode.CAPTURE_BEFORE_RESERVATION, 400),  # the one status the contract shows
    ],
)
def test_error_codes_map_to_their_decided_status(code: ErrorCode, status: int) -> None:
    assert status_of(code) == status


def test_every_mapped_status_is_an_error_status() -> None:
    assert all(400 <= s < 600 for s in STATUS_OF_CODE.values())


def test_a_domain_problem_carries_title_code_and_the_real_path_as_instance() -> None:
    status, body = domain_problem(DomainError(ErrorCode.CAPTURE_AMOUNT_TOO_HIGH), "/epayment/v1/payments/abc/capture")

    problem = orjson.loads(body)
    assert status == 400
    assert problem["title"] == "Capture amount too high"
    assert problem["instance"] == "/epayment/v1/payments/abc/capture"
    assert problem["extraDetails"] == [{"name": "ErrorCode", "reason": "6090"}]
    assert problem["traceId"].startswith("00-") and len(problem["traceId"]) == 55

