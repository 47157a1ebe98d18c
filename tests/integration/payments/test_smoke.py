from tests.harness import InProcessKasse, create_body, new_reference


def test_a_qr_payment_is_created_approved_and_captured(kasse: InProcessKasse) -> None:
    ref = new_reference()

    created = kasse.demo.create(create_body(ref, 49900))
    approved = kasse.demo.approve(ref)
    captured = kasse.demo.modify(ref, "capture", 49900)

    assert created.status_code == 201
    assert created.json()["redirectUrl"].startswith("http://127.0.0.1:8000/qr-image/v1?token=")
    assert approved.status_code == 200
    assert captured.json()["aggregate"]["capturedAmount"] == {"currency": "NOK", "value": 49900}
    assert [e["name"] for e in kasse.demo.events(ref).json()] == ["CREATED", "AUTHORIZED", "CAPTURED"]
