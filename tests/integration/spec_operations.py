"""The operations of the newest official spec of each API, read from the shared reference (never copied here).

Each is mapped to the path kasse serves it at (the spec's server path + its path), with example values for
the path parameters; only operations kasse serves are listed. Tests skip when the files are missing.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

import pytest

from tests.integration.webhook_spec import REFERENCE

# the newest official file of each API, and where its paths live on kasse
NEWEST = {
    "epayment-v1.site-1.8.1.yaml": "/epayment",
    "webhooks-v1.site-2026-04.yaml": "/webhooks",
    "access-token.site-2.0.0.yaml": "",
    "qr-v1.github-2024-10.yaml": "/qr",
    "order-management-v2.github-2025-06.yaml": "/order-management",
}
SERVED = re.compile(r"^/(epayment/v1/(payments|test/)|webhooks/v1/webhooks|accesstoken/get|qr/v1|"
                    r"order-management/v2/)")
PATH_VALUES = {"Reference": "spec-check-0001", "id": "spec-check-qr", "merchantQrId": "spec-check-callback",
               "beaconId": "100000625947428", "paymentType": "ECOM", "orderId": "spec-check-order"}


@dataclass(frozen=True)
class SpecOperation:
    file: str
    method: str
    template: str  # the path on kasse, with the spec's {parameters}
    spec: dict[str, Any]  # the operation object
    parameters: tuple[dict[str, Any], ...]  # resolved, path-level ones included

    @property
    def url(self) -> str:
        return self.template.format(**PATH_VALUES)

    @property
    def statuses(self) -> set[int]:
        return {int(s) for s in self.spec["responses"] if s.isdigit()}

    def header(self, name: str) -> dict[str, Any] | None:
        return next((p for p in self.parameters if p["in"] == "header" and p["name"].lower() == name.lower()), None)

    def __str__(self) -> str:
        return f"{self.method} {self.template}"


@functools.cache
def document(file: str) -> dict[str, Any]:
    import yaml

    found: dict[str, Any] = yaml.safe_load((REFERENCE / file).read_text())
    return found


def resolve(file: str, node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        target: Any = document(file)
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


@functools.cache
def operations() -> tuple[SpecOperation, ...]:
    if not all((REFERENCE / file).exists() for file in NEWEST):
        return ()
    found = []
    for file, prefix in NEWEST.items():
        for path, item in document(file)["paths"].items():
            template = prefix + path
            if not SERVED.match(template):
                continue
            shared = [resolve(file, p) for p in item.get("parameters", [])]
            for method, op in item.items():
                if method == "parameters":
                    continue
                own = tuple(shared + [resolve(file, p) for p in op.get("parameters", [])])
                found.append(SpecOperation(file, method.upper(), template, op, own))
    return tuple(found)


def spec_operations(where: Any = None) -> list[Any]:
    """Return pytest params of the served operations `where(op)` holds for; one skipping param without files."""
    chosen = [op for op in operations() if where is None or where(op)]
    if not operations():
        return [pytest.param(None, marks=pytest.mark.skip(reason=f"the official specs are not in {REFERENCE}"))]
    return [pytest.param(op, id=str(op)) for op in chosen]


def error_schema(file: str, status: int, op: SpecOperation) -> dict[str, Any] | None:
    """Return the schema the spec gives a refusal's body, if any (with the file's components)."""
    answer = op.spec["responses"].get(str(status))
    if answer is None:
        return None
    content = resolve(file, answer).get("content") or {}
    media = content.get("application/json") or content.get("application/problem+json")
    return media["schema"] if media else None


def assert_error_shape(response: Any, op: SpecOperation) -> None:
    """Assert a refusal is listed by the operation and has the media type and schema the spec gives it."""
    from openapi_schema_validator import OAS30Validator

    assert response.status_code in op.statuses, (response.status_code, sorted(op.statuses), response.text)
    answer = resolve(op.file, op.spec["responses"][str(response.status_code)])
    content = answer.get("content") or {}
    if not content:
        return
    media_type = response.headers["content-type"].split(";")[0]
    assert media_type in content, (media_type, list(content))
    schema = content[media_type]["schema"]
    spec = {**schema, "components": document(op.file)["components"]}
    OAS30Validator(spec, format_checker=OAS30Validator.FORMAT_CHECKER).validate(response.json())
