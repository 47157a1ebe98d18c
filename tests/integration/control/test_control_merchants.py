"""`/_kasse/merchants` and `/_kasse/users`: make and list sales units and users, by the same rules as the CLI."""

from __future__ import annotations

from typing import Any

import pytest

from tests.harness import DEMO_CREDENTIALS, InProcessKasse, assert_problem, bad_fields


def test_the_sales_units_are_listed_without_their_credentials(kasse: InProcessKasse) -> None:
    made = kasse.client.post("/_kasse/merchants", json={"name": "Kiosk", "market": "DK", "msn": "2233",
                                                         "pushAllowed": False}).json()

    listed = kasse.client.get("/_kasse/merchants")

    assert listed.status_code == 200
    units = {m["msn"]: m for m in listed.json()}
    assert units["2233"] == {"msn": "2233", "name": "Kiosk", "market": "DK", "clientId": made["clientId"],
                             "createdAt": units["2233"]["createdAt"], "pushAllowed": False,
                             "partialCaptureAllowed": True, "longLivingAllowed": True}
    assert DEMO_CREDENTIALS.msn in units
    assert made["clientSecret"] not in listed.text and made["subscriptionKey"] not in listed.text


def test_the_list_of_sales_units_is_gone_in_production(tmp_path: Any) -> None:
    from tests.harness import in_process

    for production in in_process(tmp_path, production=True):
        assert production.client.get("/_kasse/merchants").status_code == 404


@pytest.mark.parametrize(("body", "field"), [
    ({"msn": "abc"}, "msn"), ({"msn": "12"}, "msn"), ({"msn": "1" * 20}, "msn"), ({"name": "x" * 5000}, "name"),
], ids=["letters", "two-digits", "twenty-digits", "5000-character-name"])
def test_a_sales_unit_that_cannot_exist_is_refused_naming_the_field(kasse: InProcessKasse, body: dict[str, Any],
                                                                    field: str) -> None:
    refused = kasse.client.post("/_kasse/merchants", json=body)

    assert_problem(refused, 400)
    assert bad_fields(refused) == {field}


@pytest.mark.parametrize("born", ["2099-01-01", "1899-12-31"])
def test_a_user_born_in_the_future_or_before_1900_is_refused_naming_birth_date(kasse: InProcessKasse,
                                                                               born: str) -> None:
    refused = kasse.client.post("/_kasse/users", json={"msisdn": "4799887766", "birthDate": born})

    assert_problem(refused, 400)
    assert bad_fields(refused) == {"birthDate"}
    assert kasse.client.get("/_kasse/users/4799887766").status_code == 404
