"""The wallet use cases (services/wallet.py): scanning, answering, magic amounts and behaviours."""

from datetime import date, timedelta

import pytest

from kasse.domain.inbox import Answer, RequestSource, WalletError, WalletRefusal
from kasse.domain.magic_amounts import UNKNOWN_RESULT_HOLD
from kasse.domain.payment import Payment
from kasse.domain.payment_state import EventName, PaymentState
from kasse.domain.personal_qr import ScanKind, v1_content
from kasse.domain.static_qr import MerchantCallbackQr, MerchantRedirectQr
from kasse.domain.user import Behaviour, User
from kasse.services import payments, wallet
from kasse.services.payment_commands import CancelPayment, Customer, CustomerKind, UserFlow
from kasse.services.recording import CHECKED_IN
from kasse.services.users import UserSpec, create_user, set_behaviour
from tests.fakes import EPOCH, FakeClock, InMemoryUnitOfWork, SequentialIds, a_create, a_merchant, subscribe

KARI, OLA, EMMA = "4712345678", "4798765432", "4791234567"
BASE = "http://kasse.test"
MSN = "123456"


@pytest.fixture
def uow(clock: FakeClock, ids: SequentialIds) -> InMemoryUnitOfWork:
    uow = InMemoryUnitOfWork()
    uow.merchants.add(a_merchant())
    for msisdn, born in ((KARI, date(1985, 4, 12)), (OLA, date(1990, 9, 3)), (EMMA, date(2012, 6, 20))):
        create_user(uow, clock, ids, UserSpec(msisdn, birth_date=born))
    return uow


def user(uow: InMemoryUnitOfWork, msisdn: str = KARI) -> User:
    found = uow.users.get(msisdn)
    assert found is not None
    return found


def pushed(uow: InMemoryUnitOfWork, clock: FakeClock, ids: SequentialIds, value: int = 49900,
           reference: str = "order-0001", msisdn: str = KARI) -> Payment:
    cmd = a_create(reference, value, user_flow=UserFlow.PUSH_MESSAGE,
                   customer=Customer(CustomerKind.PHONE_NUMBER, msisdn))
    return payments.create_payment(uow, clock, ids, cmd, token=f"tok-{reference}")


def on_screen(uow: InMemoryUnitOfWork, clock: FakeClock, ids: SequentialIds, reference: str = "order-0001",
              **changes: object) -> Payment:
    return payments.create_payment(uow, clock, ids, a_create(reference, **changes), token=f"tok-{reference}")


def names(uow: InMemoryUnitOfWork, reference: str = "order-0001") -> list[tuple[EventName, bool]]:
    return [(e.name, e.success) for e in uow.events.list(MSN, reference)]


class TestScan:
    def test_a_one_time_qr_brings_the_payment_into_the_wallet(self, uow: InMemoryUnitOfWork, clock: FakeClock,
                                                              ids: SequentialIds) -> None:
        on_screen(uow, clock, ids)

        outcome = wallet.scan(uow, clock, ids, user(uow), f"{BASE}/p/tok-order-0001", BASE)

        assert outcome.kind is ScanKind.PAYMENT
        assert outcome.request is not None and outcome.request.source is RequestSource.QR

    def test_scanning_it_again_is_harmless_but_another_user_cannot_take_it(
        self, uow: InMemoryUnitOfWork, clock: FakeClock, ids: SequentialIds
    ) -> None:
        on_screen(uow, clock, ids)
        wallet.scan(uow, clock, ids, user(uow), f"{BASE}/p/tok-order-0001", BASE)

        again = wallet.scan(uow, clock, ids, user(uow), f"{BASE}/p/tok-order-0001", BASE)
        with pytest.raises(WalletError) as refused:
            wallet.scan(uow, clock, ids, user(uow, OLA), f"{BASE}/p/tok-order-0001", BASE)

        assert again.request is not None
        assert refused.value.refusal is WalletRefusal.NOT_YOURS

    def test_a_callback_qr_checks_in_and_queues_the_check_in_webhook(
        self, uow: InMemoryUnitOfWork, clock: FakeClock, ids: SequentialIds
    ) -> None:
        uow.static_qrs.save_callback(MerchantCallbackQr(MSN, "till-1", "Kasse 1", EPOCH))
        subscribe(uow, MSN, "hook-1", [CHECKED_IN])

        outcome = wallet.scan(uow, clock, ids, user(uow), f"{BASE}/q/c/{MSN}/till-1", BASE)

        assert outcome.check_in is not None
        assert outcome.check_in.expires_at == EPOCH + timedelta(minutes=15)
        [delivery] = uow.deliveries.queued()
        assert (delivery.event_type, delivery.payload) == (CHECKED_IN, {
            "customerToken": outcome.check_in.token, "merchantQrId": "till-1", "msn": MSN,
            "initiatedAt": "2024-03-01T12:00:00.000Z"})

    def test_a_redirect_qr_leads_to_the_merchants_page_until_its_ttl_runs_out(
        self, uow: InMemoryUnitOfWork, clock: FakeClock, ids: SequentialIds
    ) -> None:
        qr = MerchantRedirectQr(MSN, "machine 42", "https://shop.example/m42", EPOCH, EPOCH + timedelta(seconds=300))
        uow.static_qrs.save_redirect(qr)

        outcome = wallet.scan(uow, clock, ids, user(uow), f"{BASE}/q/r/{MSN}/machine%2042", BASE)
        clock.advance(timedelta(seconds=300))
        with pytest.raises(WalletError) as refused:
            wallet.scan(uow, clock, ids, user(uow), f"{BASE}/q/r/{MSN}/machine%2042", BASE)

        assert outcome.redirect_url == "https://shop.example/m42"
        assert refused.value.refusal is WalletRefusal.QR_NO_LONGER_VALID

    @pytest.mark.parametrize(
        ("content", "refusal"),
        [
            (v1_content(OLA), WalletRefusal.PERSONAL_QR),
            ("https://example.com/", WalletRefusal.UNKNOWN_QR),
            (f"{BASE}/p/no-such-token", WalletRefusal.UNKNOWN_PAYMENT),
            (f"{BASE}/q/c/{MSN}/deleted", WalletRefusal.QR_NO_LONGER_VALID),
        ],
    )
    def test_content_that_leads_nowhere_is_refused(self, uow: InMemoryUnitOfWork, clock: FakeClock,
                                                   ids: SequentialIds, content: str, refusal: WalletRefusal) -> None:
        with pytest.raises(WalletError) as refused:
            wallet.scan(uow, clock, ids, user(uow), content, BASE)

        assert refused.value.refusal is refusal


class TestAnswer:
    def test_approving_authorizes_and_records_the_answer(self, uow: InMemoryUnitOfWork, clock: FakeClock,
                                                         ids: SequentialIds) -> None:
        pushed(uow, clock, ids)

        after = wallet.approve(uow, clock, ids, user(uow), MSN, "order-0001")

        assert after.state is PaymentState.AUTHORIZED
        request = uow.wallet.get_request(MSN, "order-0001")
        assert request is not None and request.answer is Answer.APPROVED

    def test_rejecting_aborts(self, uow: InMemoryUnitOfWork, clock: FakeClock, ids: SequentialIds) -> None:
        pushed(uow, clock, ids)

        after = wallet.reject(uow, clock, ids, user(uow), MSN, "order-0001")

        assert after.state is PaymentState.ABORTED
        assert names(uow)[-1] == (EventName.ABORTED, True)

    @pytest.mark.parametrize(
        ("setup", "refusal"),
        [
            ("answered", WalletRefusal.ALREADY_ANSWERED),
            ("expired", WalletRefusal.NOT_WAITING),
            ("cancelled", WalletRefusal.NOT_WAITING),
            ("someone-else", WalletRefusal.NOT_YOURS),
        ],
    )
    def test_a_payment_no_longer_waiting_for_this_user_is_refused(
        self, uow: InMemoryUnitOfWork, clock: FakeClock, ids: SequentialIds, setup: str, refusal: WalletRefusal
    ) -> None:
        pushed(uow, clock, ids, msisdn=OLA if setup == "someone-else" else KARI)
        if setup == "answered":
            wallet.reject(uow, clock, ids, user(uow), MSN, "order-0001")
        if setup == "expired":
            clock.advance(timedelta(minutes=10))
        if setup == "cancelled":
            payments.cancel_payment(uow, clock, ids, CancelPayment(MSN, "order-0001", None))

        with pytest.raises(WalletError) as refused:
            wallet.approve(uow, clock, ids, user(uow), MSN, "order-0001")

        assert refused.value.refusal is refusal

    def test_a_user_too_young_for_a_qr_payment_cannot_approve_it(self, uow: InMemoryUnitOfWork, clock: FakeClock,
                                                                 ids: SequentialIds) -> None:
        on_screen(uow, clock, ids, wire={"minimumUserAge": 18})
        wallet.scan(uow, clock, ids, user(uow, EMMA), f"{BASE}/p/tok-order-0001", BASE)

        with pytest.raises(WalletError) as refused:
            wallet.approve(uow, clock, ids, user(uow, EMMA), MSN, "order-0001")

        assert refused.value.refusal is WalletRefusal.TOO_YOUNG


    def test_a_user_of_another_market_cannot_approve_a_scanned_payment(
        self, uow: InMemoryUnitOfWork, clock: FakeClock, ids: SequentialIds
    ) -> None:
        dane = create_user(uow, clock, ids, UserSpec("4512345678"))
        on_screen(uow, clock, ids)
        wallet.scan(uow, clock, ids, dane, f"{BASE}/p/tok-order-0001", BASE)

        with pytest.raises(WalletError) as refused:
            wallet.approve(uow, clock, ids, dane, MSN, "order-0001")

        assert refused.value.refusal is WalletRefusal.WRONG_MARKET

    def test_a_payment_not_in_any_wallet_cannot_be_answered(self, uow: InMemoryUnitOfWork, clock: FakeClock,
                                                            ids: SequentialIds) -> None:
        on_screen(uow, clock, ids)

        with pytest.raises(WalletError) as refused:
            wallet.reject(uow, clock, ids, user(uow), MSN, "order-0001")

        assert refused.value.refusal is WalletRefusal.UNKNOWN_PAYMENT

    def test_the_landing_page_sends_the_payment_to_the_typed_number(self, uow: InMemoryUnitOfWork, clock: FakeClock,
                                                                   ids: SequentialIds) -> None:
        on_screen(uow, clock, ids)

        request = wallet.send_from_landing(uow, clock, "tok-order-0001", OLA)
        with pytest.raises(WalletError) as unknown:
            wallet.send_from_landing(uow, clock, "tok-order-0001", "4700000000")

        assert (request.msisdn, request.source) == (OLA, RequestSource.LANDING)
        assert unknown.value.refusal is WalletRefusal.UNKNOWN_USER


class TestMagicAmounts:
    @pytest.mark.parametrize("value", [151, 182, 183, 184, 186, 187, 197])
    def test_a_declined_card_fails_the_authorization_then_aborts(
        self, uow: InMemoryUnitOfWork, clock: FakeClock, ids: SequentialIds, value: int
    ) -> None:
        pushed(uow, clock, ids, value)

        after = wallet.approve(uow, clock, ids, user(uow), MSN, "order-0001")

        assert (after.state, after.authorized) == (PaymentState.ABORTED, 0)
        assert names(uow) == [(EventName.CREATED, True), (EventName.AUTHORIZED, False), (EventName.ABORTED, True)]
        request = uow.wallet.get_request(MSN, "order-0001")
        assert request is not None and request.answer is Answer.DECLINED and request.note

    def test_an_unknown_result_leaves_the_payment_waiting_for_an_hour_then_it_expires(
        self, uow: InMemoryUnitOfWork, clock: FakeClock, ids: SequentialIds
    ) -> None:
        pushed(uow, clock, ids, 201)

        after = wallet.approve(uow, clock, ids, user(uow), MSN, "order-0001")

        assert after.state is PaymentState.CREATED
        stored = uow.payments.get(MSN, "order-0001")
        assert stored is not None and stored.expires_at == EPOCH + UNKNOWN_RESULT_HOLD
        assert names(uow) == [(EventName.CREATED, True)]
        with pytest.raises(WalletError) as again:
            wallet.approve(uow, clock, ids, user(uow), MSN, "order-0001")
        assert again.value.refusal is WalletRefusal.ALREADY_ANSWERED

    def test_sca_must_be_confirmed_before_the_approval_goes_through(
        self, uow: InMemoryUnitOfWork, clock: FakeClock, ids: SequentialIds
    ) -> None:
        pushed(uow, clock, ids, 202)

        with pytest.raises(WalletError) as refused:
            wallet.approve(uow, clock, ids, user(uow), MSN, "order-0001")
        after = wallet.approve(uow, clock, ids, user(uow), MSN, "order-0001", sca_confirmed=True)

        assert refused.value.refusal is WalletRefusal.SCA_REQUIRED
        assert after.state is PaymentState.AUTHORIZED


class TestBehaviours:
    def test_auto_approve_answers_once_its_delay_has_passed(self, uow: InMemoryUnitOfWork, clock: FakeClock,
                                                            ids: SequentialIds) -> None:
        set_behaviour(uow, KARI, Behaviour.AUTO_APPROVE, 5)
        pushed(uow, clock, ids)

        early = wallet.apply_due_behaviours(uow, clock, ids)
        clock.advance(timedelta(seconds=5))
        acted = wallet.apply_due_behaviours(uow, clock, ids)

        assert (early, acted) == (0, 1)
        assert payments.load(uow, MSN, "order-0001").state is PaymentState.AUTHORIZED
        assert wallet.apply_due_behaviours(uow, clock, ids) == 0

    def test_auto_approve_confirms_sca_by_itself(self, uow: InMemoryUnitOfWork, clock: FakeClock,
                                                 ids: SequentialIds) -> None:
        set_behaviour(uow, KARI, Behaviour.AUTO_APPROVE)
        pushed(uow, clock, ids, 202)

        wallet.apply_due_behaviours(uow, clock, ids)

        assert payments.load(uow, MSN, "order-0001").state is PaymentState.AUTHORIZED

    def test_always_reject_rejects_on_arrival(self, uow: InMemoryUnitOfWork, clock: FakeClock,
                                              ids: SequentialIds) -> None:
        set_behaviour(uow, KARI, Behaviour.ALWAYS_REJECT, 60)  # the delay is for approvals only
        pushed(uow, clock, ids)

        wallet.apply_due_behaviours(uow, clock, ids)

        assert payments.load(uow, MSN, "order-0001").state is PaymentState.ABORTED

    @pytest.mark.parametrize("behaviour", [Behaviour.NEVER_ANSWER, Behaviour.MANUAL])
    def test_never_answer_and_manual_leave_the_request_alone(self, uow: InMemoryUnitOfWork, clock: FakeClock,
                                                             ids: SequentialIds, behaviour: Behaviour) -> None:
        set_behaviour(uow, KARI, behaviour)
        pushed(uow, clock, ids)
        clock.advance(timedelta(minutes=9))

        assert wallet.apply_due_behaviours(uow, clock, ids) == 0

    def test_a_due_answer_to_a_payment_answered_meanwhile_is_dropped_with_a_note(
        self, uow: InMemoryUnitOfWork, clock: FakeClock, ids: SequentialIds
    ) -> None:
        set_behaviour(uow, KARI, Behaviour.AUTO_APPROVE, 30)
        pushed(uow, clock, ids)
        payments.cancel_payment(uow, clock, ids, CancelPayment(MSN, "order-0001", None))
        clock.advance(timedelta(seconds=30))

        wallet.apply_due_behaviours(uow, clock, ids)

        request = uow.wallet.get_request(MSN, "order-0001")
        assert request is not None and request.due_at is None and request.note
        assert payments.load(uow, MSN, "order-0001").state is PaymentState.TERMINATED


def test_entries_list_newest_first_and_tell_what_is_pending(uow: InMemoryUnitOfWork, clock: FakeClock,
                                                            ids: SequentialIds) -> None:
    pushed(uow, clock, ids, reference="order-0001")
    clock.advance(timedelta(seconds=1))
    pushed(uow, clock, ids, reference="order-0002")
    wallet.reject(uow, clock, ids, user(uow), MSN, "order-0001")

    found = wallet.entries(uow, KARI)

    assert [(e.payment.reference, e.pending, e.merchant_name) for e in found] == [
        ("order-0002", True, "shop 123456"), ("order-0001", False, "shop 123456")]
