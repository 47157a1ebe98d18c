"""The console's shell: served in test mode under /console with its navigation, absent in production."""

from __future__ import annotations

from pathlib import Path

from kasse.console import page_modules
from kasse.console.views import SECTIONS
from tests.harness import InProcessKasse, in_process


def test_console_opens_on_its_payments(kasse: InProcessKasse) -> None:
    answer = kasse.client.get("/console", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/console/payments"


def test_console_stylesheet_is_served_locally(kasse: InProcessKasse) -> None:
    answer = kasse.client.get("/console/static/console.css")
    assert answer.status_code == 200
    assert "text/css" in answer.headers["content-type"]


def test_production_has_no_console(tmp_path: Path) -> None:
    for production in in_process(tmp_path, production=True):
        assert production.client.get("/console", follow_redirects=False).status_code in (401, 404)
        assert production.client.get("/console/static/console.css").status_code in (401, 404)


def test_the_console_opens_on_the_first_section() -> None:
    assert "home" in page_modules()
    assert SECTIONS[0][2] == "/console/payments"
