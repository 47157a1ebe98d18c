import pytest

from tests.harness import InProcessKasse, create_body, new_reference


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("DELETE", "/epayment/v1/payments/{ref}"),
        ("GET", "/epayment/v1/payments/{ref}/capture"),
        ("PUT", "/epayment/v1/payments"),
        ("GET", "/epayment/v1/test/payments/{ref}/approve"),
    ],
)
def test_a_wrong_method_on_an_epayment_path_is_405_with_allow(kasse: InProcessKasse, method: str, path: str) -> None:
    ref = new_reference()
    kasse.demo.create(create_body(ref))

    r = kasse.client.request(method, path.format(ref=ref), headers=kasse.demo.headers())

    assert r.status_code == 405
    assert r.headers["content-type"] == "application/problem+json"
    assert "POST" in r.headers["allow"] or "GET" in r.headers["allow"]


def test_a_retry_with_the_same_json_spelled_differently_is_a_replay(kasse: InProcessKasse) -> None:
    ref = new_reference()
    headers = {**kasse.demo.headers("same-key-1"), "content-type": "application/json"}
    compact = (
        '{"amount":{"currency":"NOK","value":1000},"paymentMethod":{"type":"WALLET"},'
        f'"reference":"{ref}","userFlow":"QR"}}'
    )
    spaced = (
        f'{{ "userFlow": "QR", "reference": "{ref}", "paymentMethod": {{"type": "WALLET"}},\n'
        '  "amount": {"value": 1000, "currency": "NOK"}, "customerInteraction": "CUSTOMER_NOT_PRESENT" }'
    )

    first = kasse.client.post("/epayment/v1/payments", content=compact, headers=headers)
    again = kasse.client.post("/epayment/v1/payments", content=spaced, headers=headers)

    assert first.status_code == 201
    assert again.status_code == 201
    assert again.content == first.content
