"""The API docs teach and work offline (issue #15.5): local assets only, and every operation fully described."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.harness import InProcessKasse, in_process, shared_kasse

shared = shared_kasse("docs")
_REFERENCES = re.compile(r"""(?:src|href|spec-url)=["']([^"']+)["']""")
_EXTERNAL = re.compile(r"""(?:https?:)?//[a-z0-9.-]+""", re.IGNORECASE)


@pytest.fixture(scope="module")
def document(shared: InProcessKasse) -> dict[str, Any]:
    found: dict[str, Any] = shared.client.get("/openapi.json").json()
    return found


@pytest.fixture
def production(tmp_path: Path) -> Iterator[InProcessKasse]:
    yield from in_process(tmp_path, production=True)


def operations(document: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [(f"{method.upper()} {path}", op) for path, ops in document["paths"].items() for method, op in ops.items()]


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_the_docs_pages_load_everything_from_kasse_itself(shared: InProcessKasse, page: str) -> None:
    html = shared.client.get(page)

    references = _REFERENCES.findall(html.text)
    answers = {ref: shared.client.get(ref) for ref in references}

    assert html.status_code == 200
    assert references and all(ref.startswith("/") and not ref.startswith("//") for ref in references), references
    assert _EXTERNAL.findall(html.text) == []
    assert {ref: r.status_code for ref, r in answers.items()} == dict.fromkeys(references, 200)
    assert all(len(r.content) > 0 for r in answers.values())


def test_the_docs_scripts_are_the_packaged_swagger_ui_and_redoc(shared: InProcessKasse) -> None:
    swagger = shared.client.get("/docs/assets/swagger-ui-bundle.js")
    redoc = shared.client.get("/docs/assets/redoc.standalone.js")
    start = shared.client.get("/docs/start.js").text

    assert "SwaggerUIBundle" in swagger.text and len(swagger.content) > 500_000
    assert "Redoc" in redoc.text and len(redoc.content) > 500_000
    assert "validatorUrl: null" in start and "/openapi.json" in start


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_the_docs_pages_forbid_loading_from_elsewhere(shared: InProcessKasse, page: str) -> None:
    policy = shared.client.get(page).headers["content-security-policy"]

    assert "default-src 'self'" in policy and "http" not in policy


def test_every_operation_has_a_summary_a_description_and_its_refusals(document: dict[str, Any]) -> None:
    lacking = [label for label, op in operations(document)
               if not op.get("summary") or len(op.get("description", "")) < 20 or not op.get("operationId")
               or ("security" in op and not {"401", "403"} <= set(op["responses"]))
               or (("requestBody" in op or op.get("parameters")) and "400" not in op["responses"])]

    assert lacking == []


def _schema_of(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in schema:
        found: dict[str, Any] = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
        return found
    if schema.get("type") == "array":
        return _schema_of(document, schema["items"])
    return schema


def _described(document: dict[str, Any], media: dict[str, Any]) -> bool:
    schema = _schema_of(document, media["schema"])
    return bool(schema.get("properties") or schema.get("type") in ("string", "integer")) and "example" in media


def test_every_body_and_answer_has_a_real_schema_and_an_example(document: dict[str, Any]) -> None:
    lacking = []
    for label, op in operations(document):
        if "requestBody" in op and not _described(document, op["requestBody"]["content"]["application/json"]):
            lacking.append(f"{label} request")
        success = next((answer for status, answer in op["responses"].items() if status.startswith("2")), {})
        for media_type, media in success.get("content", {}).items():
            if media_type != "text/event-stream" and not _described(document, media):
                lacking.append(f"{label} answer")

    assert lacking == []


def test_the_control_planes_bodies_are_described_field_by_field(document: dict[str, Any]) -> None:
    bodies = {label: _schema_of(document, op["requestBody"]["content"]["application/json"]["schema"])
              for label, op in operations(document) if label.split()[1].startswith("/_kasse/") and "requestBody" in op}

    undescribed = {label: [name for name, field in schema["properties"].items() if not field.get("description")]
                   for label, schema in bodies.items()}

    assert len(bodies) >= 7
    assert {label: names for label, names in undescribed.items() if names} == {}


def test_authorize_takes_a_sales_units_token_key_and_msn(document: dict[str, Any]) -> None:
    schemes = document["components"]["securitySchemes"]
    merchant = [op for label, op in operations(document) if label.split()[1].startswith(("/epayment/", "/qr/"))]

    assert schemes["accessToken"] == {**schemes["accessToken"], "type": "http", "scheme": "bearer"}
    assert {(s["in"], s["name"]) for s in schemes.values() if s["type"] == "apiKey"} == {
        ("header", "Ocp-Apim-Subscription-Key"), ("header", "Merchant-Serial-Number")}
    assert all({"accessToken", "subscriptionKey"} <= set(op["security"][0]) for op in merchant)


def test_production_documents_no_control_plane(production: InProcessKasse) -> None:
    document = production.client.get("/openapi.json").json()
    text = production.client.get("/openapi.json").text

    assert "/epayment/v1/payments" in document["paths"]
    assert [path for path in document["paths"] if path.startswith("/_kasse")] == []
    assert "/_kasse" not in text and "kasse-demo-secret" not in text


def test_test_mode_documents_the_control_plane(document: dict[str, Any]) -> None:
    assert {"/_kasse/clock/advance", "/_kasse/faults", "/_kasse/merchants"} <= set(document["paths"])
