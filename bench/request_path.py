"""Which of kasse's modules one request passes through, in order: the reading path of issue #14's "flat write path".

    .venv/bin/python bench/request_path.py [--show]

Runs an in-process kasse (a temporary SQLite file), takes a token, and profiles one `POST /epayment/v1/payments`
(and one capture). Every call of a function defined in `src/kasse/{api,services,domain}` is a stop (a coroutine
resumed after an await is not); a stop in another module than the previous one is a move, and a move back into a
module the request already left is a climb back up. The figures are the modules a reader of that request has to
open, and how often the path doubles back.
"""

from __future__ import annotations

import argparse
import inspect
import sys
import tempfile
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from types import FrameType
from typing import Any

from starlette.testclient import TestClient

from kasse.bootstrap import build
from kasse.container import Container
from kasse.server import create_app
from kasse.settings import DEMO, Settings

SRC = str(Path(__file__).resolve().parents[1] / "src" / "kasse")
LAYERS = ("api", "services", "domain")  # what a reader follows, outer to inner; adapters and the SDK are behind ports
_RESUMABLE = inspect.CO_COROUTINE | inspect.CO_GENERATOR | inspect.CO_ASYNC_GENERATOR


def _caller(frame: FrameType) -> str | None:
    """Return the kasse module (of the layers followed) whose code made this call, if any."""
    back = frame.f_back
    while back is not None:
        module = _module(back)
        if module is not None:
            return module if module.split(".")[0] in LAYERS else None
        back = back.f_back
    return None


def _module(frame: FrameType) -> str | None:
    name = frame.f_code.co_filename
    if not name.startswith(SRC):
        return None
    return name[len(SRC) + 1:].removesuffix(".py").replace("/", ".")


class Walk:
    def __init__(self) -> None:
        self.stops: list[str] = []
        self.started: set[int] = set()
        self.callbacks: list[str] = []  # an inner layer calling up into an outer one (closures, callbacks)
        self.lock = threading.Lock()

    def profile(self, frame: FrameType, event: str, arg: Any) -> None:
        if event != "call":
            return
        if frame.f_code.co_flags & _RESUMABLE:  # a coroutine resumed after an await is no new stop
            if id(frame) in self.started:
                return
            self.started.add(id(frame))
        module = _module(frame)
        if module is None or module.split(".")[0] not in LAYERS:
            return
        caller = _caller(frame)
        with self.lock:
            if not self.stops or self.stops[-1] != module:
                self.stops.append(module)
            if caller is not None and LAYERS.index(caller.split(".")[0]) > LAYERS.index(module.split(".")[0]):
                self.callbacks.append(f"{caller} -> {module}")

    def report(self, what: str, show: bool) -> None:
        seen: list[str] = []
        climbs = 0
        for i, module in enumerate(self.stops):
            if module in seen and module != self.stops[i - 1]:
                climbs += 1
            elif module not in seen:
                seen.append(module)
        print(f"{what}: {len(seen)} modules, {len(self.stops)} moves, {climbs} moves back into a module already left, "
              f"{len(self.callbacks)} calls from an inner layer up into an outer one")
        if show:
            print("  " + " -> ".join(self.stops))
            for callback in self.callbacks:
                print(f"  up: {callback}")


def _profile_everywhere(kasse: tuple[TestClient, Container], hook: Any) -> None:
    """Set `hook` in this thread, the event loop's thread and the database writer's thread."""
    client, container = kasse
    sys.setprofile(hook)
    assert client.portal is not None
    client.portal.call(sys.setprofile, hook)
    client.portal.call(container.db.write, lambda uow: sys.setprofile(hook))


def _walk(kasse: tuple[TestClient, Container], method: str, url: str, **kwargs: Any) -> Walk:
    walk = Walk()
    _profile_everywhere(kasse, walk.profile)
    walk.stops.clear()
    try:
        response = kasse[0].request(method, url, **kwargs)
    finally:
        _profile_everywhere(kasse, None)
    assert response.status_code < 300, response.text
    return walk


def _kasse(tmp: Path) -> Iterator[tuple[TestClient, Container]]:
    container = build(Settings(database=str(tmp / "kasse.db"), public_url="http://127.0.0.1:8000",
                               synchronous="NORMAL"))
    with TestClient(create_app(container), base_url="http://127.0.0.1:8000") as client:
        yield client, container
    container.db.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--show", action="store_true", help="print every move")
    show = parser.parse_args().show
    with tempfile.TemporaryDirectory() as tmp:
        for kasse in _kasse(Path(tmp)):
            client = kasse[0]
            token = client.post("/accesstoken/get", headers={
                "client_id": DEMO.client_id or "", "client_secret": DEMO.client_secret or "",
                "Ocp-Apim-Subscription-Key": DEMO.subscription_key or ""}).json()["access_token"]
            headers = {"Authorization": f"Bearer {token}", "Ocp-Apim-Subscription-Key": DEMO.subscription_key or "",
                       "Merchant-Serial-Number": DEMO.msn or ""}
            reference = f"path-{uuid.uuid4().hex[:16]}"
            body = {"amount": {"currency": "NOK", "value": 1000}, "paymentMethod": {"type": "WALLET"},
                    "reference": reference, "userFlow": "QR"}
            client.post("/epayment/v1/payments", json={**body, "reference": f"warm-{uuid.uuid4().hex[:16]}"},
                        headers={**headers, "Idempotency-Key": uuid.uuid4().hex})  # imports and caches
            _walk(kasse, "POST", "/epayment/v1/payments", json=body,
                  headers={**headers, "Idempotency-Key": uuid.uuid4().hex}).report("create", show)
            client.post(f"/epayment/v1/test/payments/{reference}/approve", json={}, headers=headers)
            _walk(kasse, "POST", f"/epayment/v1/payments/{reference}/capture",
                  json={"modificationAmount": {"currency": "NOK", "value": 500}},
                  headers={**headers, "Idempotency-Key": uuid.uuid4().hex}).report("capture", show)


if __name__ == "__main__":
    main()
