"""Validating bodies against the official OpenAPI files, read from the shared reference (never copied here).

Tests that need them skip with a clear reason when the files are not where `KASSE_REFERENCE_DIR`
(default `../shared/reference/openapi` beside the checkout) says.
"""

from __future__ import annotations

import functools
from typing import Any

from tests.official_specs import REFERENCE, require

EPAYMENT = "epayment-v1.site-1.8.1.yaml"  # holds the WebhookEvent payload schema
WEBHOOKS = "webhooks-v1.site-2026-04.yaml"  # the Webhooks API (contract §8.1)


@functools.cache
def _components(filename: str) -> dict[str, Any]:
    import yaml

    spec: dict[str, Any] = yaml.safe_load((REFERENCE / filename).read_text())
    return {"components": spec["components"]}


def assert_schema(body: Any, filename: str, schema: str) -> None:
    """Validate `body` against `#/components/schemas/{schema}` of an official spec file."""
    require(REFERENCE / filename)
    from openapi_schema_validator import OAS30Validator

    document = {"$ref": f"#/components/schemas/{schema}", **_components(filename)}
    OAS30Validator(document, format_checker=OAS30Validator.FORMAT_CHECKER).validate(body)
