"""Ctrl-C on `kasse serve` while live pages are open: the streams are closed at once, and the log says so (#13.7).

granian waits for open responses when it stops; before, a wallet page, a till and `kasse listen` held a
stopping server up for ~21 s, silently.
"""

from __future__ import annotations

import signal
import threading
import time
from pathlib import Path

import httpx
import pytest

from tests.harness import DEMO_PHONE, ServerProcess

pytestmark = pytest.mark.slow  # a real `kasse serve`


def _open(client: httpx.Client, path: str, opened: threading.Barrier, **kwargs: object) -> None:
    try:
        with client.stream("GET", path, **kwargs) as response:  # type: ignore[arg-type]
            assert response.status_code == 200, response.read()
            chunks = response.iter_raw()
            next(chunks)  # the server has the stream open
            opened.wait()
            for _ in chunks:
                pass
    except httpx.HTTPError:
        pass  # the server went away, as it should


def test_ctrl_c_closes_the_live_streams_and_says_how_many(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path / "kasse.db").start()
    clients = [httpx.Client(base_url=server.url, trust_env=False, timeout=httpx.Timeout(5.0, read=60.0))
               for _ in range(3)]
    opened = threading.Barrier(4, timeout=20)
    streams = [
        (clients[0], "/wallet/api/events", {"cookies": {"kasse_wallet_user": DEMO_PHONE}}),  # a wallet page
        (clients[1], "/pos/api/terminals/till-1/events", {}),  # the till
        (clients[2], "/pos/api/terminals/till-2/events", {}),  # a customer display
    ]
    threads = [threading.Thread(target=_open, args=(c, path, opened), kwargs=kw, daemon=True)
               for c, path, kw in streams]
    try:
        for thread in threads:
            thread.start()
        opened.wait()
        assert server.proc is not None
        started = time.monotonic()
        server.proc.send_signal(signal.SIGINT)  # what Ctrl-C does to the process `kasse serve` started as
        server.proc.wait(timeout=30)
        took = time.monotonic() - started
    finally:
        server.stop()
        for client in clients:
            client.close()

    log = server.log.read_text()
    assert took < 5, f"stopping took {took:.1f} s:\n{log[-2000:]}"  # 21 s before
    assert "closing 3 live streams" in log, log[-2000:]
