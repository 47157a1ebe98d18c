"""Faults armed by a test through `/_kasse/faults`, disarmed again when the test ends.

Kinds: webhook.drop, webhook.delay, webhook.duplicate, webhook.reorder, webhook.bad-signature,
webhook.bad-hash, webhook.timeout (deliveries to the sales unit's registrations) and api.500,
api.423, api.429, api.lost-response (its ePayment calls; `endpoint` create, get, events, capture,
refund, cancel, or None for any).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kasse.adapters.control_plane import HttpxControlPlane


@dataclass(frozen=True)
class ArmedFault:
    """One armed fault; `remaining` firings, None until disarmed."""

    id: str
    msn: str
    kind: str
    endpoint: str | None
    remaining: int | None
    delay_seconds: float | None
    armed_at: str

    @classmethod
    def from_wire(cls, body: Any) -> ArmedFault:
        """Read the control plane's fault object."""
        return cls(str(body["id"]), body["msn"], body["kind"], body.get("endpoint"), body.get("remaining"),
                   body.get("delaySeconds"), body["armedAt"])


class Faults:
    """Arms faults for one sales unit (`msn`) and remembers them, so `disarm_armed` can clean up.

    Example:
        >>> kasse_faults.arm("api.500", endpoint="capture", times=1)  # the next capture fails once
    """

    def __init__(self, control: HttpxControlPlane, msn: str) -> None:
        self._control = control
        self.msn = msn
        self.armed: list[str] = []

    def arm(self, kind: str, *, endpoint: str | None = None, times: int | None = None,
            delay_seconds: float | None = None, msn: str | None = None) -> ArmedFault:
        """Arm a fault for this sales unit (or `msn`); `times` firings, None until disarmed."""
        body = {"msn": msn or self.msn, "kind": kind, "endpoint": endpoint, "times": times,
                "delaySeconds": delay_seconds}
        fault = ArmedFault.from_wire(self._control.call("POST", "/_kasse/faults", json=body))
        self.armed.append(fault.id)
        return fault

    def list(self, *, msn: str | None = None) -> list[ArmedFault]:
        """Return the faults armed for this sales unit (or `msn`), used-up ones excluded."""
        found = self._control.call("GET", "/_kasse/faults", params={"msn": msn or self.msn})
        return [ArmedFault.from_wire(f) for f in found["faults"]]

    def disarm(self, fault: ArmedFault | str) -> None:
        """Disarm one fault; one already used up or disarmed is fine."""
        fault_id = fault if isinstance(fault, str) else fault.id
        self._control.call("DELETE", f"/_kasse/faults/{fault_id}", missing_ok=True)

    def disarm_all(self, *, msn: str | None = None) -> None:
        """Disarm every fault of this sales unit (or `msn`), whoever armed it."""
        self._control.call("DELETE", "/_kasse/faults", params={"msn": msn or self.msn})

    def disarm_armed(self) -> None:
        """Disarm every fault armed through this object."""
        armed, self.armed = self.armed, []
        for fault_id in armed:
            self.disarm(fault_id)
