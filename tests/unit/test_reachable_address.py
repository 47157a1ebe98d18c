"""A server bound to every address names one in its links that another device can open, never 0.0.0.0."""

from __future__ import annotations

import pytest

from kasse import exposure
from kasse.settings import Settings


@pytest.fixture
def _a_network(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(exposure, "network_address", lambda: "198.51.100.7")  # RFC 5737: no traffic is sent


@pytest.mark.usefixtures("_a_network")
@pytest.mark.parametrize("host", ["0.0.0.0", "::", ""])
def test_a_server_on_every_address_links_to_its_network_address(host: str) -> None:
    assert Settings(host=host, port=8000).base_url == "http://198.51.100.7:8000"


@pytest.mark.parametrize(("host", "url"), [("127.0.0.1", "http://127.0.0.1:8000"), ("::1", "http://[::1]:8000"),
                                           ("kasse.lan", "http://kasse.lan:8000")])
def test_a_named_host_stays_as_given(host: str, url: str) -> None:
    assert Settings(host=host, port=8000).base_url == url


def test_a_public_url_wins() -> None:
    assert Settings(host="0.0.0.0", port=8000, public_url="https://kasse.example/").base_url == "https://kasse.example"


def test_the_probe_names_an_address_or_the_machine() -> None:
    exposure.network_address.cache_clear()
    found = exposure.network_address()  # a UDP connect picks a route and sends nothing
    assert found and found not in exposure.UNSPECIFIED


def test_the_built_in_pos_calls_the_platform_on_loopback() -> None:
    assert Settings(host="0.0.0.0", port=8000).local_url == "http://127.0.0.1:8000"
    assert Settings(host="::", port=8000).local_url == "http://[::1]:8000"
    assert Settings(host="127.0.0.1", port=8000).local_url == "http://127.0.0.1:8000"
