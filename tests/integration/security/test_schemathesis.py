"""schemathesis against kasse's own /openapi.json: no 5xx anywhere, and the merchant APIs answer as documented.

A real `kasse serve` on a free loopback port; every call carries the demo unit's valid token, key and
MSN, so generated requests get past authentication. Examples are few and derandomized (stable, < 60 s).
The /_kasse/ control plane is held only to "never a 5xx", and fuzzed last: it moves the clock and arms
faults, which would change what the merchant APIs answer.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import BaseSchema, GenerationMode
from schemathesis.checks import not_a_server_error, response_schema_conformance, status_code_conformance

from tests.harness import DEMO_CREDENTIALS, ApiSession, InProcessKasse, ServerProcess, shared_kasse
from tests.integration.security.routes import merchant_endpoints

EXAMPLES = 10
MODES = [GenerationMode.POSITIVE, GenerationMode.NEGATIVE]
UNFUZZED = {"GET /_kasse/events/stream"}  # a server-sent event stream, not a request and a response

shared = shared_kasse("openapi")


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[BaseSchema, dict[str, str]]]:
    server = ServerProcess(Path(tmp_path_factory.mktemp("schemathesis")) / "kasse.db",
                           args=("--no-rate-limits",)).start()
    try:
        with httpx.Client(base_url=server.url, trust_env=False) as client:
            headers = ApiSession(client, DEMO_CREDENTIALS).headers()
        yield schemathesis.openapi.from_url(f"{server.url}/openapi.json"), headers
    finally:
        server.stop()


def _fuzz(schema: BaseSchema, headers: dict[str, str], mode: GenerationMode, *, control: bool) -> list[str]:
    """Run every operation of one part of the API; return each failure schemathesis reports."""
    checks = [not_a_server_error] if control else [not_a_server_error, response_schema_conformance,
                                                   status_code_conformance]
    failures = []
    for result in schema.get_all_operations():
        operation = result.ok()  # type: ignore[union-attr]
        if operation.label in UNFUZZED or operation.path.startswith("/_kasse/") != control:
            continue

        @given(case=operation.as_strategy(mode))
        @settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck), phases=[Phase.explicit, Phase.generate])
        def call(case: Any) -> None:
            case.call_and_validate(headers=headers, checks=checks, timeout=10)

        try:
            call()
        except Unsatisfiable:
            continue  # nothing in this operation can be made invalid
        except Exception as exc:  # schemathesis' FailureGroup: keep going, report every operation at once
            failures.append(f"{operation.label}: {exc}")
    return failures


def test_every_merchant_endpoint_is_in_the_document(shared: InProcessKasse) -> None:
    document = shared.client.get("/openapi.json").json()

    documented = {f"{method.upper()} {path}" for path, ops in document["paths"].items() for method in ops}

    assert {str(e) for e in merchant_endpoints(shared.client.app)} - documented == set()


def test_kasse_never_documents_the_422_it_never_answers(shared: InProcessKasse) -> None:
    document = shared.client.get("/openapi.json").json()

    claimed = [f"{m} {p}" for p, ops in document["paths"].items() for m, op in ops.items() if "422" in op["responses"]]

    assert claimed == []


@pytest.mark.parametrize("mode", MODES, ids=lambda m: m.value)
def test_the_merchant_apis_answer_as_documented_and_never_5xx(
    served: tuple[BaseSchema, dict[str, str]], mode: GenerationMode
) -> None:
    assert _fuzz(*served, mode, control=False) == []


@pytest.mark.parametrize("mode", MODES, ids=lambda m: m.value)
def test_the_control_plane_never_answers_5xx(served: tuple[BaseSchema, dict[str, str]], mode: GenerationMode) -> None:
    assert _fuzz(*served, mode, control=True) == []
