"""The CLI's client of /_kasse/: a server that is not kasse gets one line a person can act on, never a traceback."""

from __future__ import annotations

import httpx
import pytest

from kasse.adapters.control_plane import ControlPlaneError, HttpxControlPlane

PAGE = "<!DOCTYPE HTML>\n<html>\n<body>\n<h1>Error response</h1>\n</body>\n</html>\n"


def plane(status: int, body: str = "", content_type: str = "text/html") -> HttpxControlPlane:
    headers = {"content-type": content_type} if body else {}
    answer = httpx.MockTransport(lambda request: httpx.Response(status, text=body, headers=headers))
    return HttpxControlPlane("http://127.0.0.1:3000", transport=answer)


@pytest.mark.parametrize(("status", "body"), [(200, PAGE), (200, ""), (201, "ok"), (501, PAGE), (500, PAGE)])
def test_an_answer_that_is_not_kasses_json_is_one_line_naming_the_url(status: int, body: str) -> None:
    with pytest.raises(ControlPlaneError) as refused:
        plane(status, body).call("POST", "/_kasse/merchants", json={})

    said = str(refused.value)
    assert len(said.splitlines()) == 1 and "<" not in said, said
    assert "http://127.0.0.1:3000" in said and "not answer like kasse" in said, said


def test_a_204_is_an_empty_answer() -> None:
    assert plane(204).call("DELETE", "/_kasse/faults") is None


def test_kasses_own_refusal_keeps_its_words() -> None:
    problem = '{"detail": "No sales unit has MSN 999999", "extraDetails": [{"name": "msn", "reason": "no such"}]}'

    with pytest.raises(ControlPlaneError) as refused:
        plane(404, problem, "application/problem+json").call("POST", "/_kasse/faults", json={})

    assert refused.value.fields == {"msn": "no such"}
    assert "No sales unit has MSN 999999" in str(refused.value)
