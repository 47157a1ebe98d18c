"""What every ePayment handler does first, once: the caller, its armed faults, the key and the body.

`begin` replaces the preamble each handler used to repeat; a handler then only delegates to its use
case and renders (api/vipps/epayment.py). The order of the checks is the contract's: the sales unit
(authenticated before routing, api/authentication.py, and the operation's header rules), an armed API
fault, the body and its fields, then the per-reference rate limit, counted inside the transaction.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, overload

from pydantic import BaseModel
from starlette.requests import Request
from starlette.responses import Response

from kasse.api.authentication import SalesUnit
from kasse.api.body import parse, read_body
from kasse.api.faults import answer, fire
from kasse.api.idempotency import Write, request_fingerprint, write_once
from kasse.api.problems import ProblemError
from kasse.api.responses import raw_json
from kasse.container import Container
from kasse.domain.faults import Endpoint
from kasse.services.ports import UnitOfWork

M = TypeVar("M", bound=BaseModel)
T = TypeVar("T")
_REFERENCE = re.compile(r"^[a-zA-Z0-9-]{8,64}$")


class _NoBody(BaseModel):
    pass


@dataclass(slots=True)
class PaymentRequest(Generic[M]):
    """An authenticated ePayment call: the container, the caller's MSN, its key and parsed body."""

    request: Request
    c: Container
    msn: str
    lost: bool  # an armed `api.lost-response` fault: the answer is sent without its body
    key: str | None
    body: M

    @property
    def path(self) -> str:
        path: str = self.request.scope["path"]
        return path

    def reference(self) -> str:
        """Return the path's payment reference, refused with a 400 unless it is a valid one."""
        reference: str = self.request.path_params["reference"]
        if not _REFERENCE.match(reference):
            raise ProblemError(400, "Invalid reference", [("reference", "must match ^[a-zA-Z0-9-]{8,64}$")])
        return reference

    async def read(self, operation: str, scope: str, reference: str, fn: Callable[[UnitOfWork], T]) -> T:
        """Run a read off the event loop, first counting it against its rate limit (contract §4.13)."""
        limiter = self.c.limiter

        def counted(uow: UnitOfWork) -> T:
            limiter.hit(uow, operation, scope, reference)  # RateLimitedError (429) when over
            return fn(uow)

        return await self.c.db.query(counted)

    async def write(self, operation: str, reference: str, use_case: Callable[[UnitOfWork], Any],
                    render: Callable[[Any], Any], status: int = 200) -> Response:
        """Run the use case once per Idempotency-Key, in one transaction, and answer with its stored outcome.

        The transaction first counts the call against the reference's rate limit (shared by every process
        on PostgreSQL). `use_case` is bound to its arguments (functools.partial) and `render` turns its result
        into the wire object, so the write goes from here to the use case and back, no closure in between.
        """
        path = self.path
        write = Write(self.msn, self.key, operation, path, request_fingerprint(operation, path, self.body),
                      use_case, render, status)
        out = await write_once(self.c, write, reference)
        return self.answer(raw_json(out.body, out.status))

    def answer(self, response: Response) -> Response:
        return answer(response, self.lost)


@overload
async def begin(request: Request, endpoint: Endpoint | None, model: None = None) -> PaymentRequest[BaseModel]: ...


@overload
async def begin(request: Request, endpoint: Endpoint | None, model: type[M], *, key: bool = False,
                empty_ok: bool = False) -> PaymentRequest[M]: ...


async def begin(request: Request, endpoint: Endpoint | None, model: type[BaseModel] | None = None, *,
                key: bool = False, empty_ok: bool = False) -> PaymentRequest[Any]:
    """Start an ePayment call: fire an armed fault, then read the Idempotency-Key (if `key`) and the body."""
    c: Container = request.app.state.container
    unit: SalesUnit = request.scope["user"]
    lost = fire(c.faults, unit.msn, endpoint) if endpoint is not None else False
    if model is None:
        return PaymentRequest(request, c, unit.msn, lost, None, _NoBody())
    raw = await read_body(request)
    idempotency_key = request.headers.get("idempotency-key") or None if key else None
    body = parse(model, raw, empty_ok=empty_ok)
    return PaymentRequest(request, c, unit.msn, lost, idempotency_key, body)
