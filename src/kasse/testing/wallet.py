"""The customer's side for a test: new test users and their wallet actions, over `/_kasse/users` and `/_kasse/wallet`.

Every user a test makes has a fresh random phone number, so tests sharing one server never meet.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from kasse.adapters.control_plane import ControlPlaneError, HttpxControlPlane

PREFIX_OF_MARKET = {"NO": "47", "DK": "45", "FI": "358"}
ATTEMPTS = 5  # a random number already taken is tried again; five clashes in a row mean something else is wrong


@dataclass(frozen=True)
class TestUser:
    """A wallet user: `msisdn` is the phone number a POS sends as `customer.phoneNumber`."""

    __test__ = False  # not a test class, whatever its name says

    msisdn: str
    name: str
    market: str
    birth_date: str
    personal_qr: str  # tokenized personal QR content, what a POS scanner reads from the wallet

    @classmethod
    def from_wire(cls, body: Any) -> TestUser:
        """Read the control plane's user card."""
        return cls(body["msisdn"], body["name"], body["market"], body["birthDate"], body["personalQr"]["tokenized"])


class Users:
    """Makes wallet users for a test."""

    def __init__(self, control: HttpxControlPlane) -> None:
        self._control = control

    def new(self, *, market: str = "NO", name: str | None = None, birth_date: str | None = None) -> TestUser:
        """Create a user with a fresh phone number in `market` (NO, DK, FI); `birth_date` is YYYY-MM-DD."""
        body: dict[str, Any] = {"market": market}
        if name is not None:
            body["name"] = name
        if birth_date is not None:
            body["birthDate"] = birth_date
        for attempt in range(ATTEMPTS):
            msisdn = PREFIX_OF_MARKET[market] + "9" + "".join(secrets.choice("0123456789") for _ in range(7))
            try:
                return TestUser.from_wire(self._control.call("POST", "/_kasse/users", json={**body, "msisdn": msisdn}))
            except ControlPlaneError as exc:
                if exc.status != 409 or attempt == ATTEMPTS - 1:
                    raise
        raise AssertionError("unreachable")


class Wallet:
    """What a customer does in the wallet app, done by a test.

    Example:
        >>> kasse_wallet.approve(kasse_user, "order-1001")  # after a PUSH_MESSAGE to kasse_user.msisdn
        >>> kasse_wallet.scan(kasse_user, created.redirect_url)  # a one-time QR from the customer display
    """

    def __init__(self, control: HttpxControlPlane) -> None:
        self._control = control

    def scan(self, user: TestUser | str, content: str) -> dict[str, Any]:
        """Scan QR content as the user's app would; return `{kind, payment | checkIn | redirectUrl}`."""
        found: dict[str, Any] = self._control.call("POST", f"/_kasse/wallet/{_msisdn(user)}/scan",
                                                   json={"content": content})
        return found

    def approve(self, user: TestUser | str, reference: str, *, sca: bool = False) -> dict[str, Any]:
        """Approve a payment waiting in the user's wallet (`sca`: confirm BankID for magic amount 202)."""
        return self._answer(user, reference, "approve", {"sca": sca})

    def reject(self, user: TestUser | str, reference: str) -> dict[str, Any]:
        """Reject a payment waiting in the user's wallet: it becomes ABORTED."""
        return self._answer(user, reference, "reject", {})

    def behave(self, user: TestUser | str, behaviour: str, delay_seconds: int = 0) -> None:
        """Let the user answer requests by themselves.

        `behaviour`: AUTO_APPROVE (after `delay_seconds` of kasse's clock), ALWAYS_REJECT, NEVER_ANSWER or MANUAL.
        """
        self._control.call("PUT", f"/_kasse/users/{_msisdn(user)}/behaviour",
                           json={"behaviour": behaviour, "delaySeconds": delay_seconds})

    def payments(self, user: TestUser | str) -> list[dict[str, Any]]:
        """Return the user's payment requests, newest first."""
        found: list[dict[str, Any]] = self._control.call("GET", f"/_kasse/wallet/{_msisdn(user)}/payments")
        return found

    def _answer(self, user: TestUser | str, reference: str, action: str, body: dict[str, Any]) -> dict[str, Any]:
        found: dict[str, Any] = self._control.call(
            "POST", f"/_kasse/wallet/{_msisdn(user)}/payments/{reference}/{action}", json=body)
        return found


def _msisdn(user: TestUser | str) -> str:
    return user if isinstance(user, str) else user.msisdn
