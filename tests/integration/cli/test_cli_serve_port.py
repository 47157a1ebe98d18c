"""A second `kasse serve` on a taken port refuses to start, and the first keeps the port to itself (#13.1)."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.harness import ServerProcess

pytestmark = pytest.mark.slow  # a real `kasse serve`


def test_a_second_server_on_the_port_refuses_and_nothing_can_share_it(tmp_path: Path) -> None:
    first = ServerProcess(tmp_path / "a.db").start()
    try:
        second = subprocess.run([sys.executable, "-m", "kasse", "serve", "--port", str(first.port),
                                 "--db", str(tmp_path / "b.db")], env=first.env, capture_output=True, text=True,
                                timeout=60)
        sharing = socket.socket()
        sharing.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)  # what granian's own workers ask for
        with pytest.raises(OSError, match="in use"):
            sharing.bind(("127.0.0.1", first.port))
        sharing.close()
        answers = {httpx.get(f"{first.url}/_kasse/clock").status_code for _ in range(20)}
    finally:
        first.stop()

    assert second.returncode == 2
    assert second.stderr.strip().splitlines() == [
        f"Error: Invalid value for '--port': port {first.port} on 127.0.0.1 is already in use (another kasse "
        "serve?): stop that server or choose another --port"]
    assert "Listening" not in second.stdout + second.stderr and "kasse is starting" not in second.stdout
    assert not (tmp_path / "b.db").exists()
    assert answers == {200}
