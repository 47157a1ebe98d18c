"""The console's Sales units & users page: credentials hidden until revealed, shown once at creation, users, magic."""

from __future__ import annotations

import pytest

from kasse.domain.magic_amounts import MAGIC_AMOUNTS
from kasse.domain.user import Behaviour
from kasse.settings import DEMO
from tests.harness import DEMO_PHONE, InProcessKasse


def units(kasse: InProcessKasse) -> list[str]:
    return [m.msn for m in kasse.container.db.read(lambda uow: uow.merchants.list())]


def test_the_demo_unit_s_known_secrets_are_behind_a_reveal(kasse: InProcessKasse) -> None:
    page = kasse.client.get("/console/units").text

    assert DEMO.client_id in page
    assert f'<summary>Reveal</summary><code class="revealed">{DEMO.client_secret}</code>' in page
    assert f'<summary>Reveal</summary><code class="revealed">{DEMO.subscription_key}</code>' in page


def test_a_unit_made_here_shows_its_credentials_once(kasse: InProcessKasse) -> None:
    made = kasse.client.post("/console/units", data={"name": "Kiosk", "market": "DK", "msn": "765432"})

    assert made.status_code == 201
    secret = made.text.split('id="made-secret">')[1].split("<")[0]
    merchant = kasse.container.db.read(lambda uow: uow.merchants.get("765432"))
    assert merchant is not None and merchant.secret_matches(secret)
    later = kasse.client.get("/console/units").text
    assert secret not in later
    assert "shown once at creation" in later


@pytest.mark.parametrize(("data", "says"), [
    ({"name": "", "market": "NO"}, "name is required"),
    ({"name": "x" * 101, "market": "NO"}, "name is at most 100 characters"),
    ({"name": "Kiosk", "market": "SE"}, "market must be one of"),
    ({"name": "Kiosk", "market": "NO", "msn": "12"}, "an MSN is 4 to 10 digits"),
    ({"name": "Kiosk", "market": "NO", "msn": DEMO.msn}, "already exists"),
])
def test_a_bad_unit_is_refused_and_nothing_is_created(kasse: InProcessKasse, data: dict[str, str],
                                                      says: str) -> None:
    before = units(kasse)

    answer = kasse.client.post("/console/units", data=data)

    assert answer.status_code == 400
    assert says in answer.text
    assert units(kasse) == before


def test_users_show_their_qr_and_their_behaviour_changes(kasse: InProcessKasse) -> None:
    page = kasse.client.get("/console/units").text
    assert f'data-msisdn="{DEMO_PHONE}"' in page and "<svg" in page

    answer = kasse.client.post(f"/console/units/users/{DEMO_PHONE}/behaviour",
                               data={"behaviour": "AUTO_APPROVE", "delaySeconds": "5"}, follow_redirects=False)

    assert answer.status_code == 303
    user = kasse.container.db.read(lambda uow: uow.users.get(DEMO_PHONE))
    assert (user.behaviour, user.behaviour_delay) == (Behaviour.AUTO_APPROVE, 5)


@pytest.mark.parametrize(("msisdn", "data", "says"), [
    (DEMO_PHONE, {"behaviour": "SOMETIMES"}, "behaviour must be one of"),
    (DEMO_PHONE, {"behaviour": "AUTO_APPROVE", "delaySeconds": "3601"}, "delaySeconds must be a whole number"),
    ("4700000000", {"behaviour": "ALWAYS_REJECT"}, "no user with msisdn"),
])
def test_a_bad_behaviour_is_refused_and_the_user_is_unchanged(kasse: InProcessKasse, msisdn: str,
                                                              data: dict[str, str], says: str) -> None:
    answer = kasse.client.post(f"/console/units/users/{msisdn}/behaviour", data=data)

    assert answer.status_code == 400
    assert says in answer.text
    assert kasse.container.db.read(lambda uow: uow.users.get(DEMO_PHONE)).behaviour is Behaviour.MANUAL


def test_the_magic_amounts_table_is_the_one_kasse_acts_on(kasse: InProcessKasse) -> None:
    page = kasse.client.get("/console/units").text

    for value, magic in MAGIC_AMOUNTS.items():
        assert f"<code>{value}</code>" in page
        assert magic.reason in page
