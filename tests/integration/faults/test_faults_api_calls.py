"""API faults (issue #8): 500/423/429 instead of the operation, or the operation commits and its answer is lost."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from kasse.api.faults import LostResponseError
from kasse.domain.faults import Endpoint, FaultKind
from kasse.sdk import Amount, Client, CreatePaymentRequest, CustomerInteraction, UserFlow
from kasse.services.faults import FaultBoard
from tests.harness import (
    DEMO_CREDENTIALS,
    ApiSession,
    InProcessKasse,
    ServerProcess,
    assert_problem,
    authorized,
    create_body,
    new_reference,
    shared_kasse,
)

MSN = DEMO_CREDENTIALS.msn
STATUS_KINDS = {FaultKind.API_500: 500, FaultKind.API_423: 423, FaultKind.API_429: 429}
ERROR_CODE = {500: None, 423: "6160", 429: None}  # 423 is "Order processing": retry with the same key
kasse = shared_kasse("api-faults")


@pytest.fixture
def board(kasse: InProcessKasse) -> Iterator[FaultBoard]:
    yield kasse.container.faults
    kasse.container.faults.disarm_all()


def prepared(demo: ApiSession, endpoint: Endpoint) -> str:
    """Return a reference in a state where `endpoint` succeeds (create: not yet created)."""
    if endpoint is Endpoint.CREATE:
        return new_reference()
    if endpoint in (Endpoint.GET, Endpoint.EVENTS):
        reference = new_reference()
        assert demo.create(create_body(reference)).status_code == 201
        return reference
    reference = authorized(demo, 10000)
    if endpoint is Endpoint.REFUND:
        assert demo.modify(reference, "capture", 10000).status_code == 200
    return reference


def call(demo: ApiSession, endpoint: Endpoint, reference: str, key: str) -> httpx.Response:
    calls: dict[Endpoint, Callable[[], httpx.Response]] = {
        Endpoint.CREATE: lambda: demo.create(create_body(reference), key=key),
        Endpoint.GET: lambda: demo.get(reference),
        Endpoint.EVENTS: lambda: demo.events(reference),
        Endpoint.CAPTURE: lambda: demo.modify(reference, "capture", 4000, key=key),
        Endpoint.REFUND: lambda: demo.modify(reference, "refund", 4000, key=key),
        Endpoint.CANCEL: lambda: demo.cancel(reference, key=key),
    }
    return calls[endpoint]()


def recorded(kasse: InProcessKasse, reference: str) -> list[str]:
    """The payment's event log read from the store itself, so no API fault can get in the way."""
    return [e.name for e in kasse.container.db.read(lambda uow: uow.events.list(MSN, reference))]


@pytest.mark.parametrize("endpoint", list(Endpoint), ids=str)
@pytest.mark.parametrize("kind", list(STATUS_KINDS), ids=str)
def test_a_status_fault_answers_the_next_n_calls_of_its_endpoint_and_writes_nothing(
        kasse: InProcessKasse, board: FaultBoard, kind: FaultKind, endpoint: Endpoint) -> None:
    reference, key = prepared(kasse.demo, endpoint), uuid.uuid4().hex
    before = recorded(kasse, reference)
    board.arm(MSN, kind, endpoint=endpoint, times=2)

    faulted = [call(kasse.demo, endpoint, reference, key) for _ in range(2)]
    after_faults = recorded(kasse, reference)
    then = call(kasse.demo, endpoint, reference, key)

    status = STATUS_KINDS[kind]
    for answer in faulted:
        assert_problem(answer, status, ERROR_CODE[status])
        assert answer.headers.get("retry-after") == ("1" if status == 429 else None)
    assert after_faults == before
    assert then.status_code in (200, 201), then.text
    assert board.list(MSN) == []


def test_a_fault_on_one_endpoint_leaves_other_endpoints_and_other_sales_units_alone(
        kasse: InProcessKasse, board: FaultBoard) -> None:
    demo, other = kasse.demo, kasse.session(kasse.demo.new_merchant())
    reference, others = authorized(demo), authorized(other)
    fault = board.arm(MSN, FaultKind.API_500, endpoint=Endpoint.CAPTURE)  # until disarmed

    unaffected = [demo.get(reference), demo.events(reference), demo.create(create_body(new_reference())),
                  other.modify(others, "capture", 1000)]
    refused = [demo.modify(reference, "capture", 1000, key="k-1") for _ in range(3)]
    board.disarm(fault.id)
    captured = demo.modify(reference, "capture", 1000, key="k-1")

    assert [r.status_code for r in unaffected] == [200, 200, 201, 200]
    assert [r.status_code for r in refused] == [500, 500, 500]
    assert captured.status_code == 200
    assert recorded(kasse, reference).count("CAPTURED") == 1


def test_a_fault_without_an_endpoint_hits_whichever_epayment_call_comes_next(
        kasse: InProcessKasse, board: FaultBoard) -> None:
    reference = new_reference()
    board.arm(MSN, FaultKind.API_423, times=2)

    answers = [kasse.demo.create(create_body(reference), key="any-1"), kasse.demo.get(reference),
               kasse.demo.create(create_body(reference), key="any-1"), kasse.demo.get(reference)]

    assert [r.status_code for r in answers] == [423, 423, 201, 200]


@pytest.mark.parametrize(("endpoint", "event"), [(Endpoint.CREATE, "CREATED"), (Endpoint.CAPTURE, "CAPTURED")],
                         ids=str)
def test_a_lost_response_commits_and_the_retry_with_its_key_replays_it(
        kasse: InProcessKasse, board: FaultBoard, endpoint: Endpoint, event: str) -> None:
    reference, key = prepared(kasse.demo, endpoint), uuid.uuid4().hex
    board.arm(MSN, FaultKind.API_LOST_RESPONSE, endpoint=endpoint, times=1)

    with pytest.raises(LostResponseError):  # in process, the dropped connection surfaces as the error itself
        call(kasse.demo, endpoint, reference, key)
    committed = recorded(kasse, reference)
    retried = call(kasse.demo, endpoint, reference, key)

    assert committed.count(event) == 1
    assert retried.status_code in (200, 201), retried.text
    assert recorded(kasse, reference) == committed


# --- over a real socket: what a client of `kasse serve` sees -------------------------------------------------------

@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    proc = ServerProcess(tmp_path_factory.mktemp("api-faults-live") / "kasse.db").start()
    try:
        yield proc
    finally:
        proc.stop()


@pytest.fixture
def http(live: ServerProcess) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live.url, timeout=15.0, trust_env=False) as client:
        yield client
        client.delete("/_kasse/faults", params={"msn": MSN})


def arm(http: httpx.Client, kind: FaultKind, endpoint: Endpoint | None, times: int | None) -> dict[str, Any]:
    armed = http.post("/_kasse/faults", json={"msn": MSN, "kind": str(kind), "endpoint": endpoint and str(endpoint),
                                              "times": times, "delaySeconds": None})
    assert armed.status_code == 201, armed.text
    fault: dict[str, Any] = armed.json()
    return fault


def events_of(demo: ApiSession, reference: str) -> list[str]:
    return [e["name"] for e in demo.events(reference).json()]


@pytest.mark.slow
@pytest.mark.parametrize(("endpoint", "event"), [(Endpoint.CREATE, "CREATED"), (Endpoint.CAPTURE, "CAPTURED")],
                         ids=str)
def test_over_http_a_lost_response_resets_the_connection_after_the_commit(
        http: httpx.Client, endpoint: Endpoint, event: str) -> None:
    demo = ApiSession(http, DEMO_CREDENTIALS)
    reference, key = prepared(demo, endpoint), uuid.uuid4().hex
    arm(http, FaultKind.API_LOST_RESPONSE, endpoint, times=1)

    with pytest.raises(httpx.RemoteProtocolError):  # a status line and headers, then the connection closes
        call(demo, endpoint, reference, key)
    committed = events_of(demo, reference)
    retried = call(demo, endpoint, reference, key)
    again = call(demo, endpoint, reference, key)

    assert committed.count(event) == 1
    assert retried.status_code in (200, 201), retried.text
    assert (again.status_code, again.content) == (retried.status_code, retried.content)
    assert events_of(demo, reference) == committed


@pytest.mark.slow
@pytest.mark.parametrize("endpoint", [Endpoint.CREATE, Endpoint.CAPTURE], ids=str)
@pytest.mark.parametrize("kind", [*STATUS_KINDS, FaultKind.API_LOST_RESPONSE], ids=str)
def test_the_sdk_retries_through_each_api_fault_and_applies_the_call_once(
        live: ServerProcess, http: httpx.Client, kind: FaultKind, endpoint: Endpoint) -> None:
    waits: list[float] = []
    demo = ApiSession(http, DEMO_CREDENTIALS)
    reference = prepared(demo, endpoint) if endpoint is Endpoint.CAPTURE else new_reference()
    arm(http, kind, endpoint, times=2)
    request = CreatePaymentRequest(amount=Amount.nok(10000), reference=reference, user_flow=UserFlow.QR,
                                   customer_interaction=CustomerInteraction.CUSTOMER_PRESENT)

    with Client(client_id=DEMO_CREDENTIALS.client_id, client_secret=DEMO_CREDENTIALS.client_secret,
                subscription_key=DEMO_CREDENTIALS.subscription_key, merchant_serial_number=MSN,
                base_url=live.url, sleep=waits.append) as client:
        if endpoint is Endpoint.CREATE:
            done: Any = client.payments.create(request)
        else:
            done = client.payments.capture(reference, Amount.nok(10000))

    assert done.reference == reference
    assert len(waits) == 2  # two faulted attempts, then the third succeeded
    if kind is FaultKind.API_429:
        assert waits == [1.0, 1.0]  # the fault's Retry-After is obeyed
    assert events_of(demo, reference).count("CREATED" if endpoint is Endpoint.CREATE else "CAPTURED") == 1
