"""kasse's log says what kasse did, not every request the POS or a worker sent (httpx logs each at INFO)."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import httpx
import pytest

from kasse.server import configure_logging


@pytest.fixture
def restored() -> Iterator[None]:
    root, httpx_logger = logging.getLogger(), logging.getLogger("httpx")
    before = root.level, httpx_logger.level
    root.setLevel(logging.INFO)  # as in `kasse serve` (pytest's handlers make basicConfig a no-op here)
    yield
    root.setLevel(before[0])
    httpx_logger.setLevel(before[1])


def test_the_servers_logging_leaves_out_a_line_per_outgoing_request(restored: None,
                                                                    caplog: pytest.LogCaptureFixture) -> None:
    configure_logging()
    caplog.set_level(logging.DEBUG, logger="kasse")

    with httpx.Client(transport=httpx.MockTransport(lambda request: httpx.Response(400))) as client:
        for _ in range(5):  # the POS's webhook registration retrying, say
            client.post("http://127.0.0.1:9/webhooks/v1/webhooks")

    assert [r for r in caplog.records if r.name == "httpx"] == []
    assert logging.getLogger("kasse").getEffectiveLevel() <= logging.INFO
