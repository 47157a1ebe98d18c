"""kasse's pytest plugin (kasse.testing.plugin, loaded by its pytest11 entry point), used as a POS developer
would: a test file run by pytester against the fixtures, and the README's example run as written."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

README = Path(__file__).resolve().parents[3] / "README.md"

POS_TESTS = '''
import pytest

from kasse.sdk import (Amount, CreatePaymentRequest, Customer, CustomerInteraction, PaymentState, RetryPolicy,
                       ServerError, UserFlow)

SEEN = {}


def sale(reference, value=4990, **extra):
    return CreatePaymentRequest(amount=Amount.nok(value), reference=reference,
                                customer_interaction=CustomerInteraction.CUSTOMER_PRESENT, **extra)


def test_a_pushed_payment_is_approved_in_the_wallet_and_captured(kasse_client, kasse_wallet, kasse_user):
    kasse_client.payments.create(sale("order-0001", user_flow=UserFlow.PUSH_MESSAGE,
                                      customer=Customer(phone_number=kasse_user.msisdn)))

    kasse_wallet.approve(kasse_user, "order-0001")
    capture = kasse_client.payments.capture("order-0001", Amount.nok(4990))

    assert capture.aggregate.captured_amount == Amount.nok(4990)


def test_an_unanswered_payment_expires_when_the_clock_moves(kasse_client, kasse_clock):
    kasse_client.payments.create(sale("order-0002", user_flow=UserFlow.QR))

    moved = kasse_clock.advance("10m")

    assert moved.expired >= 1
    assert kasse_client.payments.get("order-0002").state is PaymentState.EXPIRED


def test_a_frozen_clock_is_set_forwards_only(kasse_clock):
    frozen = kasse_clock.freeze().now

    kasse_clock.set("2034-12-24T12:00:00Z")

    assert kasse_clock.now().year == 2034 and frozen.year < 2034
    with pytest.raises(Exception, match="only moves forwards"):
        kasse_clock.set(frozen)


def test_an_armed_fault_fails_the_next_capture_once(kasse_merchant, kasse_faults):
    with kasse_merchant.client(retry=RetryPolicy(max_attempts=1)) as client:
        client.payments.create(sale("order-0003", user_flow=UserFlow.QR))
        client.payments.force_approve("order-0003")
        fault = kasse_faults.arm("api.500", endpoint="capture", times=1)
        assert [f.id for f in kasse_faults.list()] == [fault.id]

        with pytest.raises(ServerError):
            client.payments.capture("order-0003", Amount.nok(4990))
        capture = client.payments.capture("order-0003", Amount.nok(4990))

    assert capture.aggregate.captured_amount == Amount.nok(4990)


def test_a_fault_left_armed_is_disarmed_after_the_test(kasse_faults):
    SEEN["armed"] = kasse_faults.arm("webhook.drop")
    SEEN["msn"] = kasse_faults.msn


def test_the_shared_server_has_no_fault_left(kasse_server):
    left = kasse_server.control.call("GET", "/_kasse/faults", params={"msn": SEEN["msn"]})
    assert left == {"faults": []}


def test_tests_share_one_server_but_not_sales_units_or_users(kasse_server, kasse_merchant, kasse_user):
    SEEN.setdefault("urls", set()).add(kasse_server.url)
    SEEN.setdefault("msns", set()).add(kasse_merchant.msn)
    SEEN.setdefault("users", set()).add(kasse_user.msisdn)


def test_and_again(kasse_server, kasse_merchant, kasse_user):
    test_tests_share_one_server_but_not_sales_units_or_users(kasse_server, kasse_merchant, kasse_user)
    assert len(SEEN["urls"]) == 1 and len(SEEN["msns"]) == 2 and len(SEEN["users"]) == 2


@pytest.mark.kasse_fresh
def test_a_test_marked_fresh_gets_a_server_of_its_own(kasse_server, kasse_clock):
    assert kasse_server.url not in SEEN["urls"]
    assert kasse_clock.now().year < 2034  # the shared server's clock moved; this one's did not
'''


def test_pos_tests_use_the_fixtures_against_an_in_process_kasse(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_pos=POS_TESTS)

    result = pytester.runpytest("-p", "no:randomly", "-q")

    result.assert_outcomes(passed=9)


def readme_example() -> str:
    section = README.read_text(encoding="utf-8").split("## Testing your POS with kasse", 1)[1].split("\n## ", 1)[0]
    (example,) = re.findall(r"```python\n(.*?)```", section, flags=re.DOTALL)
    return example


def test_the_readme_example_runs_as_written(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_readme=readme_example())

    result = pytester.runpytest("-q")

    result.assert_outcomes(passed=readme_example().count("\ndef test_"))


def test_loading_the_plugin_imports_no_server_module() -> None:
    code = ("import sys, kasse.testing.plugin; "
            "print(sorted(m for m in sys.modules if m.startswith(('kasse.', 'granian', 'fastapi', 'sqlalchemy'))))")

    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout

    assert loaded.strip() == "['kasse.testing', 'kasse.testing.plugin']"
