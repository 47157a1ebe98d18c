"""API faults on the ePayment routes (`api.500`, `api.423`, `api.429`, `api.lost-response`).

A route asks once, right after authentication, because only then is the sales unit known. With
nothing armed the board answers at once, so the hot path pays one function call. A status fault
answers instead of the operation, so nothing is written; a lost response lets the operation
commit, sends the real status line and headers, and then drops the connection before the body.
"""

from __future__ import annotations

from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from kasse.api.problems import ProblemError
from kasse.domain.errors import ErrorCode
from kasse.domain.faults import API_KINDS, API_STATUS, Endpoint, Fault
from kasse.services.faults import FaultBoard

RETRY_AFTER_SECONDS = 1  # the 429 fault's Retry-After: short, so a retrying client is not slowed much


class LostResponseError(Exception):
    """Raised after the headers went out: the server can only close the connection (a lost response)."""


def fire(board: FaultBoard, msn: str, endpoint: Endpoint) -> bool:
    """Take one armed API fault for this call: raise its problem, or return True when the answer is to be lost."""
    fault = board.take(msn, API_KINDS, endpoint)
    if fault is None:
        return False
    status = API_STATUS.get(fault.kind)
    if status is None:
        return True
    raise _refusal(status, fault)


def _refusal(status: int, fault: Fault) -> ProblemError:
    detail = f"Fault {fault.kind} ({fault.id}) armed for this sales unit"
    if status == 423:  # contract §4.10.1: "Order processing", retry with the same Idempotency-Key
        code = ErrorCode.ORDER_PROCESSING
        return ProblemError(423, f"{code.title}: {detail}", [("ErrorCode", str(int(code)))])
    if status == 429:
        return ProblemError(429, f"Too many requests: {detail}", headers={"Retry-After": str(RETRY_AFTER_SECONDS)})
    return ProblemError(status, f"An unexpected error occurred: {detail}")


def answer(response: Response, lost: bool) -> Response:
    """Return `response`, or a stand-in that loses it when a lost-response fault fired for this call."""
    return LostResponse(response) if lost else response


class LostResponse(Response):
    """The answer's status line and headers (its real content-length included), then no body and a reset."""

    def __init__(self, answer: Response) -> None:  # no super().__init__: it would render a body again
        self.status_code = answer.status_code
        self.raw_headers = answer.raw_headers
        self.body = answer.body
        self.background = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers})
        await send({"type": "http.response.body", "body": b"", "more_body": True})
        # the ASGI server has begun the response, so an error now can only abort the connection
        raise LostResponseError(f"response of {scope['method']} {scope['path']} lost on purpose ({self.status_code})")
