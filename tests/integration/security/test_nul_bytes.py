"""A NUL byte, in a path or in a text field, is a clear 4xx on every route and every store, never a 500.

PostgreSQL refuses NUL in text outright (SQLite keeps it), so on PostgreSQL a lookup by `/p/%00`, a ledger id
with one, a webhook URL or a QR's location with one were 500s. Run with KASSE_TEST_DATABASE_URL to see that.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from kasse.api.request_limits import NUL_CHECKED_BY_ROUTES
from kasse.domain.webhook_registration import check_url
from kasse.domain.webhook_target import TargetPolicy
from tests.harness import InProcessKasse, in_process
from tests.integration.security.routes import PATH_VALUES, every_endpoint

AUTHORIZED = "epayments.payment.authorized.v1"


@pytest.fixture(scope="module")
def kasse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[InProcessKasse]:
    yield from in_process(tmp_path_factory.mktemp("nul-bytes"), rate_limits=False)


def test_a_nul_in_any_path_parameter_of_any_route_is_a_404_or_the_qr_apis_400(kasse: InProcessKasse) -> None:
    headers = {**kasse.demo.headers(idempotency_key="nul-path"), "Accept": "image/svg+xml"}
    wrong = {}
    for endpoint in every_endpoint(kasse.client.app):
        if "{" not in endpoint.path or endpoint.path.endswith("{path}"):  # static files: no store behind them
            continue
        for name in re.findall(r"\{(\w+)\}", endpoint.path):
            values = {**PATH_VALUES, name: "a%00b"}
            url = re.sub(r"\{(\w+)\}", lambda m, v=values: v.get(m[1], "x"), endpoint.path)  # type: ignore[misc]
            r = kasse.client.request(endpoint.method, url, headers=headers, json={}, follow_redirects=False)
            expected = (400, 404) if endpoint.path.startswith(NUL_CHECKED_BY_ROUTES) else (404,)  # its own 400s
            if r.status_code not in expected:
                wrong[f"{endpoint} with {name}"] = r.status_code

    assert wrong == {}


def test_a_webhook_url_with_a_nul_or_a_space_is_a_400_naming_url(kasse: InProcessKasse) -> None:
    for url in ("http://127.0.0.1:9/\x00", "http://127.0.0.1:9/a b", "http://127.0.0.1:9/\r\nx"):
        r = kasse.client.post("/webhooks/v1/webhooks", json={"url": url, "events": [AUTHORIZED]},
                              headers=kasse.demo.headers())

        assert r.status_code == 400, (url, r.text)
        assert [d["name"] for d in r.json()["extraDetails"]] == ["url"]


def test_a_callback_qrs_location_with_a_control_character_is_a_400_naming_it(kasse: InProcessKasse) -> None:
    r = kasse.client.put("/qr/v1/merchant-callback/nul-location", json={"locationDescription": "Till\x001"},
                         headers=kasse.demo.headers())

    assert r.status_code == 400
    assert [p["name"] for p in r.json()["invalidParams"]] == ["LocationDescription"]


@pytest.mark.parametrize("host", ["127.0.0.1%00.example.com", "example.com%0a", "a%09b.example.com"])
def test_production_refuses_a_host_that_unescapes_to_a_control_character(host: str) -> None:
    with pytest.raises(ValueError, match="url"):
        check_url(f"https://{host}/hook", production=True, targets=TargetPolicy())


def test_a_nul_in_any_text_a_store_would_see_is_never_a_5xx(kasse: InProcessKasse) -> None:
    # each was a 500 on PostgreSQL (and, sent alongside others, failed their writes too)
    nul = "a\x00b"
    kasse.client.cookies.set("kasse_wallet_user", "4712345678")
    answers = {
        "merchant name": kasse.client.post("/_kasse/merchants", json={"name": nul}),
        "user name": kasse.client.post("/_kasse/users", json={"msisdn": "4799990001", "name": nul,
                                                               "birthDate": "1990-01-01"}),
        "partner name": kasse.client.post("/_kasse/partners", json={"name": nul}),
        "wallet login": kasse.client.post("/wallet/login", data={"msisdn": nul}, follow_redirects=False),
        "landing": kasse.client.post("/wallet/landing", data={"token": nul, "phone": "4712345678"},
                                     follow_redirects=False),
        "landing open": kasse.client.post("/wallet/landing/open", data={"msisdn": nul}, follow_redirects=False),
    }

    assert {name: r.status_code for name, r in answers.items() if r.status_code >= 500} == {}


@pytest.mark.parametrize("query", ["/wallet/api/events?checkIn=a%00b&seconds=0.1", "/wallet/landing?token=%00",
                                   "/qr-image/v1?token=%00", "/settlement/v1/ledgers?msn=%00"])
def test_a_query_with_a_nul_is_a_400_naming_the_query(kasse: InProcessKasse, query: str) -> None:
    r = kasse.client.get(query)

    assert r.status_code == 400
    assert r.json()["extraDetails"] == [{"name": "query", "reason": "must not contain %00"}]
