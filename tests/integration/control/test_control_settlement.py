"""`PATCH /_kasse/merchants/{msn}/settlement`: the terms over HTTP, and a refusal that names the field it refuses."""

from __future__ import annotations

from typing import Any

import pytest

from tests.harness import InProcessKasse

TERMS = "/_kasse/merchants/123456/settlement"


@pytest.mark.parametrize(("given", "stored"), [("1.5", "1.50"), (2, "2.00"), ("0", "0.00")])
def test_a_fee_percent_is_taken_as_text_or_a_whole_number(kasse: InProcessKasse, given: Any, stored: str) -> None:
    r = kasse.client.patch(TERMS, json={"feePercent": given})

    assert r.status_code == 200, r.text
    assert r.json()["feePercent"] == stored


@pytest.mark.parametrize("given", [1.5, True, None, [], {"value": "1.5"}])
def test_a_fee_percent_of_another_json_type_is_a_400_naming_only_the_field(kasse: InProcessKasse, given: Any) -> None:
    body = {"feePercent": given} if given is not None else {"feePercent": None, "feeFixed": -1}

    r = kasse.client.patch(TERMS, json=body)

    assert r.status_code == 400, r.text
    names = {d["name"] for d in r.json()["extraDetails"]}
    assert names == ({"feeFixed"} if given is None else {"feePercent"}), r.text
    assert kasse.client.get(TERMS).json()["feePercent"] == "1.75"
