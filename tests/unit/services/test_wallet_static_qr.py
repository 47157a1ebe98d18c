"""The QR API use cases (services/qr_codes.py) and the receipts use cases (services/receipts.py)."""

from datetime import timedelta

import pytest

from kasse.domain.personal_qr import PersonalQrVersion, v1_content, v2_content
from kasse.domain.receipt import OrderError, OrderErrorKind, summarize
from kasse.domain.static_qr import NEVER, MerchantCallbackQr, QrError, QrErrorKind
from kasse.services import payments, qr_codes, receipts, wallet
from kasse.services.users import UserSpec, create_user
from tests.fakes import EPOCH, FakeClock, InMemoryUnitOfWork, SequentialIds, a_create, a_merchant

MSN = "123456"
URL = "https://shop.example/machine-42"
RECEIPT = {
    "orderLines": [
        {"name": "Soda", "id": "1", "totalAmount": 3000, "totalAmountExcludingTax": 2400, "totalTaxAmount": 600,
         "unitInfo": {"unitPrice": 1500, "quantity": "2"}},
        {"name": "Bottle return", "id": "2", "totalAmount": 200, "totalAmountExcludingTax": 200, "totalTaxAmount": 0,
         "isReturn": True},
    ],
    "bottomLine": {"currency": "NOK", "tipAmount": 500, "receiptNumber": "77"},
}


@pytest.fixture
def uow() -> InMemoryUnitOfWork:
    uow = InMemoryUnitOfWork()
    uow.merchants.add(a_merchant())
    return uow


def refusal(action: object) -> QrErrorKind:
    with pytest.raises(QrError) as refused:
        action()  # type: ignore[operator]
    return refused.value.kind


class TestMerchantRedirect:
    def test_a_qr_with_ttl_counts_down_and_then_is_gone_and_its_id_free(self, uow: InMemoryUnitOfWork,
                                                                        clock: FakeClock) -> None:
        qr = qr_codes.create_redirect(uow, clock, MSN, "billboard_1", URL, 600)
        clock.advance(timedelta(seconds=598))
        left = qr_codes.get_redirect(uow, clock, MSN, "billboard_1").expires_in(clock.now())
        clock.advance(timedelta(seconds=2))

        assert (qr.expires_in(EPOCH), left) == (600, 2)
        assert refusal(lambda: qr_codes.get_redirect(uow, clock, MSN, "billboard_1")) is QrErrorKind.NOT_FOUND
        assert qr_codes.list_redirects(uow, clock, MSN) == []
        assert qr_codes.create_redirect(uow, clock, MSN, "billboard_1", URL, None).expires_in(clock.now()) == NEVER

    def test_a_live_id_is_a_conflict_but_another_sales_unit_may_use_it(self, uow: InMemoryUnitOfWork,
                                                                     clock: FakeClock) -> None:
        qr_codes.create_redirect(uow, clock, MSN, "billboard_1", URL, None)

        assert refusal(lambda: qr_codes.create_redirect(uow, clock, MSN, "billboard_1", URL, None)) is (
            QrErrorKind.CONFLICT)
        assert qr_codes.create_redirect(uow, clock, "654321", "billboard_1", URL, None).msn == "654321"

    @pytest.mark.parametrize(
        ("qr_id", "url", "ttl", "fields"),
        [
            ("bad/id", URL, None, ["Id"]),
            ("", URL, None, ["Id"]),
            ("x" * 129, URL, None, ["Id"]),
            ("bill\r\nboard", URL, None, ["Id"]),  # the spec's \s would let CR and LF through (issue #12.10)
            ("bill\nboard", URL, None, ["Id"]),
            ("bill\tboard", URL, None, ["Id"]),
            ("ok", "http://shop.example/", None, ["RedirectUrl"]),
            ("ok", "https://shop.example/<script>", None, ["RedirectUrl"]),
            ("ok", URL, 299, ["Ttl"]),
            ("bad/id", "ftp://x", 1, ["Id", "RedirectUrl", "Ttl"]),
        ],
    )
    def test_every_broken_field_is_named(self, uow: InMemoryUnitOfWork, clock: FakeClock, qr_id: str, url: str,
                                         ttl: int | None, fields: list[str]) -> None:
        with pytest.raises(QrError) as refused:
            qr_codes.create_redirect(uow, clock, MSN, qr_id, url, ttl)

        assert [name for name, _ in refused.value.invalid_params] == fields

    def test_ids_may_hold_norwegian_letters_spaces_and_plus(self, uow: InMemoryUnitOfWork, clock: FakeClock) -> None:
        assert qr_codes.create_redirect(uow, clock, MSN, "Kiosk blåbær +1 100%", URL, None).qr_id

    def test_loopback_http_is_allowed_for_a_merchant_page_on_this_machine(self, uow: InMemoryUnitOfWork,
                                                                          clock: FakeClock) -> None:
        qr_codes.create_redirect(uow, clock, MSN, "dev", "http://127.0.0.1:9000/m/42?x=1", None)

    def test_updating_changes_the_target_and_deleting_kills_it(self, uow: InMemoryUnitOfWork, clock: FakeClock) -> None:
        qr_codes.create_redirect(uow, clock, MSN, "b1", URL, None)

        qr_codes.update_redirect(uow, clock, MSN, "b1", "https://shop.example/other")
        moved = qr_codes.get_redirect(uow, clock, MSN, "b1").redirect_url
        qr_codes.delete_redirect(uow, clock, MSN, "b1")

        assert moved == "https://shop.example/other"
        assert refusal(lambda: qr_codes.delete_redirect(uow, clock, MSN, "b1")) is QrErrorKind.NOT_FOUND
        assert refusal(lambda: qr_codes.update_redirect(uow, clock, MSN, "b1", URL)) is QrErrorKind.NOT_FOUND

    def test_an_update_to_a_bad_url_is_invalid(self, uow: InMemoryUnitOfWork, clock: FakeClock) -> None:
        qr_codes.create_redirect(uow, clock, MSN, "b1", URL, None)

        assert refusal(lambda: qr_codes.update_redirect(uow, clock, MSN, "b1", "javascript:x")) is (
            QrErrorKind.INVALID)


class TestMerchantCallback:
    def test_a_second_put_changes_only_the_location(self, uow: InMemoryUnitOfWork, clock: FakeClock) -> None:
        qr_codes.put_callback(uow, clock, MSN, "till-1", "Kasse 1")
        clock.advance(timedelta(hours=1))

        qr = qr_codes.put_callback(uow, clock, MSN, "till-1", "Kasse 2")

        assert (qr.location_description, qr.created_at) == ("Kasse 2", EPOCH)

    @pytest.mark.parametrize(("qr_id", "location"), [("till-1", "x" * 37), ("till\r\n1", "Kasse 1"),
                                                     ("till\x001", "Kasse 1"), ("", "Kasse 1")])
    def test_location_is_at_most_36_characters_and_ids_have_no_control_characters(
            self, uow: InMemoryUnitOfWork, clock: FakeClock, qr_id: str, location: str) -> None:
        assert refusal(lambda: qr_codes.put_callback(uow, clock, MSN, qr_id, location)) is QrErrorKind.INVALID

    @pytest.mark.parametrize(("qr_id", "location"), [("till-1", ""), ("a b", "Kasse 1"), ("hylle #3/ø", "x" * 36)])
    def test_any_id_and_location_the_spec_allows_is_taken(self, uow: InMemoryUnitOfWork, clock: FakeClock,
                                                          qr_id: str, location: str) -> None:
        qr = qr_codes.put_callback(uow, clock, MSN, qr_id, location)

        assert (qr.merchant_qr_id, qr.location_description) == (qr_id, location)

    def test_deleting_an_unknown_qr_is_not_found(self, uow: InMemoryUnitOfWork) -> None:
        assert refusal(lambda: qr_codes.delete_callback(uow, MSN, "nope")) is QrErrorKind.NOT_FOUND


class TestExchange:
    def test_both_personal_qr_versions_give_the_msisdn(self, uow: InMemoryUnitOfWork, clock: FakeClock,
                                                       ids: SequentialIds) -> None:
        kari = create_user(uow, clock, ids, UserSpec("4712345678"))

        v1 = qr_codes.exchange(uow, v1_content("4712345678"))
        v2 = qr_codes.exchange(uow, v2_content(kari.qr_token))

        assert (v1.msisdn, v1.version, v1.timestamp) == ("4712345678", PersonalQrVersion.V1, None)
        assert (v2.msisdn, v2.version, v2.timestamp) == ("4712345678", PersonalQrVersion.V2, int(EPOCH.timestamp()))

    @pytest.mark.parametrize("content", ["4712345678", "https://qr.vipps.no/p/nobody-has-this"])
    def test_anything_else_is_refused_with_the_qr_code_field(self, uow: InMemoryUnitOfWork, content: str) -> None:
        with pytest.raises(QrError) as refused:
            qr_codes.exchange(uow, content)

        assert refused.value.invalid_params[0][0] == "qrCode"

    def test_a_customer_token_exchanges_while_valid_for_its_own_sales_unit(
        self, uow: InMemoryUnitOfWork, clock: FakeClock, ids: SequentialIds
    ) -> None:
        kari = create_user(uow, clock, ids, UserSpec("4712345678"))
        uow.static_qrs.save_callback(MerchantCallbackQr(MSN, "till-1", "Kasse 1", EPOCH))
        visit = wallet.scan(uow, clock, ids, kari, f"http://k/q/c/{MSN}/till-1", "http://k").check_in
        assert visit is not None

        found = qr_codes.exchange_customer(uow, clock, MSN, visit.token)
        foreign = refusal(lambda: qr_codes.exchange_customer(uow, clock, "654321", visit.token))
        clock.advance(timedelta(minutes=15))
        stale = refusal(lambda: qr_codes.exchange_customer(uow, clock, MSN, visit.token))

        assert found.msisdn == "4712345678"
        assert foreign is stale is QrErrorKind.INVALID
        assert refusal(lambda: qr_codes.exchange_customer(uow, clock, MSN, None)) is QrErrorKind.INVALID


class TestReceipts:
    def test_a_receipt_is_stored_once(self, uow: InMemoryUnitOfWork, clock: FakeClock, ids: SequentialIds) -> None:
        stored = receipts.add_receipt(uow, clock, ids, MSN, "ECOM", "order-1", RECEIPT)

        with pytest.raises(OrderError) as again:
            receipts.add_receipt(uow, clock, ids, MSN, "ECOM", "order-1", RECEIPT)

        assert receipts.get_order(uow, MSN, "ECOM", "order-1").receipt == stored.body
        assert again.value.kind is OrderErrorKind.CONFLICT

    def test_a_receipt_from_the_create_request_counts_as_the_orders(self, uow: InMemoryUnitOfWork, clock: FakeClock,
                                                                    ids: SequentialIds) -> None:
        payments.create_payment(uow, clock, ids, a_create("order-0001", wire={"receipt": RECEIPT}), token="t")

        with pytest.raises(OrderError) as refused:
            receipts.add_receipt(uow, clock, ids, MSN, "ECOM", "order-0001", RECEIPT)

        assert refused.value.kind is OrderErrorKind.CONFLICT
        assert receipts.receipt_of(uow, MSN, "ECOM", "order-0001") == RECEIPT
        assert receipts.receipt_of(uow, MSN, "RECURRING", "order-0001") is None

    def test_the_category_is_replaced_and_keeps_its_id(self, uow: InMemoryUnitOfWork, clock: FakeClock,
                                                       ids: SequentialIds) -> None:
        first = receipts.put_category(uow, clock, ids, MSN, "ECOM", "o.1", "GENERAL", "https://a.example", None)
        second = receipts.put_category(uow, clock, ids, MSN, "ECOM", "o.1", "TICKET", "https://b.example", "img-1")

        order = receipts.get_order(uow, MSN, "ECOM", "o.1")
        assert first.category_id == second.category_id
        assert order.category is not None and order.category.to_wire() == {
            "category": "TICKET", "orderDetailsUrl": "https://b.example", "imageId": "img-1"}

    @pytest.mark.parametrize(("payment_type", "order_id", "kind"), [  # the GET lists only 404 (contract §7)
        ("ecom", "o1", OrderErrorKind.NOT_FOUND), ("ECOM", "o 1", OrderErrorKind.NOT_FOUND),
        ("ECOM", "unknown", OrderErrorKind.NOT_FOUND)])
    def test_bad_keys_and_unknown_orders_are_refused(self, uow: InMemoryUnitOfWork, payment_type: str,
                                                     order_id: str, kind: OrderErrorKind) -> None:
        with pytest.raises(OrderError) as refused:
            receipts.get_order(uow, MSN, payment_type, order_id)

        assert refused.value.kind is kind

    def test_totals_come_from_the_lines_with_returns_negative_and_the_tip_added(self) -> None:
        summary = summarize(RECEIPT)

        assert [(line.name, line.quantity, line.amount.value) for line in summary.lines] == [
            ("Soda", "2", 3000), ("Bottle return", "1", -200)]
        assert (summary.total.value, summary.total_tax.value, summary.receipt_number) == (3300, 600, "77")
