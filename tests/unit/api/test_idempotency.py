from typing import Any

import orjson
import pytest

from kasse.api.idempotency import Rendered, Write, fingerprint, run_once
from kasse.api.problems import status_of
from kasse.domain.errors import DomainError, ErrorCode
from kasse.services.ports import StoredResponse
from tests.fakes import EPOCH, FakeClock, InMemoryUnitOfWork

MSN = "123456"
PATH = "/epayment/v1/payments/order-1/capture"
CAPTURE_100 = fingerprint("capture", PATH, b'{"value":100}')
CAPTURE_200 = fingerprint("capture", PATH, b'{"value":200}')


class Action:
    """A use case stand-in that counts its runs and answers, or refuses, as told."""

    def __init__(self, body: bytes = b'{"ok":1}', refuse: ErrorCode | None = None) -> None:
        self.body, self.refuse, self.runs = body, refuse, 0

    def __call__(self, uow: Any) -> Any:
        self.runs += 1
        if self.refuse is not None:
            raise DomainError(self.refuse)
        return orjson.loads(self.body)


def run(
    uow: InMemoryUnitOfWork, action: Action, *, key: str | None = "key-1",
    operation: str = "capture", request: str = CAPTURE_100, msn: str = MSN,
) -> Rendered:
    return run_once(uow, FakeClock(), Write(msn, key, operation, PATH, request, action, lambda found: found, 200))


def refused(out: Rendered, code: ErrorCode, *, replayed: bool = False) -> bool:
    """Tell whether `out` is the problem+json of `code`, with the instance of the request's path."""
    body = orjson.loads(out.body)
    return (out.status, out.replayed, body["extraDetails"], body["instance"]) == (
        status_of(code), replayed, [{"name": "ErrorCode", "reason": str(int(code))}], PATH)


@pytest.fixture
def uow() -> InMemoryUnitOfWork:
    return InMemoryUnitOfWork()


def test_the_first_outcome_is_stored_with_its_request_fingerprint(uow: InMemoryUnitOfWork) -> None:
    out = run(uow, Action(b'{"first":true}'))

    assert out == Rendered(200, b'{"first":true}')
    assert uow.idempotency.stored[(MSN, "key-1")] == (StoredResponse(CAPTURE_100, 200, b'{"first":true}'), EPOCH)


def test_the_same_key_and_request_replays_the_stored_bytes_without_running_again(uow: InMemoryUnitOfWork) -> None:
    run(uow, Action(b'{"first":true}'))
    again = Action(b'{"second":true}')

    out = run(uow, again)

    assert out == Rendered(200, b'{"first":true}', replayed=True)
    assert again.runs == 0


@pytest.mark.parametrize(
    ("operation", "code"),
    [
        ("capture", ErrorCode.CAPTURE_IDEMPOTENCY_CONFLICT),
        ("refund", ErrorCode.REFERENCE_EXISTS),
        ("create", ErrorCode.IDEMPOTENCY_ERROR),
        ("cancel", ErrorCode.IDEMPOTENCY_ERROR),
    ],
)
def test_the_same_key_with_a_different_request_is_a_conflict(
    uow: InMemoryUnitOfWork, operation: str, code: ErrorCode
) -> None:
    run(uow, Action(), operation=operation, request=CAPTURE_100)
    stored = dict(uow.idempotency.stored)
    second = Action()

    out = run(uow, second, operation=operation, request=CAPTURE_200)

    assert refused(out, code)
    assert second.runs == 0
    assert uow.idempotency.stored == stored


def test_a_refusal_is_stored_and_stays_refused_for_its_key(uow: InMemoryUnitOfWork) -> None:
    first = run(uow, Action(refuse=ErrorCode.CAPTURE_AMOUNT_TOO_HIGH))
    would_succeed = Action()

    again = run(uow, would_succeed)

    assert refused(first, ErrorCode.CAPTURE_AMOUNT_TOO_HIGH)
    assert again == Rendered(first.status, first.body, replayed=True)
    assert would_succeed.runs == 0


def test_without_a_key_every_request_runs_and_nothing_is_stored(uow: InMemoryUnitOfWork) -> None:
    action = Action()

    run(uow, action, key=None)
    refusal = run(uow, Action(refuse=ErrorCode.ALREADY_CAPTURED), key=None)
    run(uow, action, key=None)

    assert action.runs == 2
    assert refused(refusal, ErrorCode.ALREADY_CAPTURED)
    assert uow.idempotency.stored == {}


def test_keys_belong_to_one_sales_unit(uow: InMemoryUnitOfWork) -> None:
    run(uow, Action(b'"shop-1"'), msn="111111")
    other = Action(b'"shop-2"')

    out = run(uow, other, msn="222222", request=CAPTURE_200)

    assert (out, other.runs) == (Rendered(200, b'"shop-2"'), 1)


@pytest.mark.parametrize(
    "changed",
    [
        ("refund", PATH, b'{"value":100}'),
        ("capture", "/epayment/v1/payments/order-2/capture", b'{"value":100}'),
        ("capture", PATH, b'{"value":100} '),
    ],
    ids=["operation", "path", "body"],
)
def test_the_fingerprint_tells_requests_apart_by_operation_path_and_body(changed: tuple[str, str, bytes]) -> None:
    assert fingerprint(*changed) != CAPTURE_100


def test_the_fingerprint_of_the_same_request_is_stable() -> None:
    assert fingerprint("capture", PATH, b'{"value":100}') == CAPTURE_100
