"""What each forward of `kasse listen --forward-to` got back, one line per attempt: `[200] 12 ms`, `[500] …`.

kasse itself delivers the forwarded webhooks (signed, retried, in order, exactly as to a POS) and records
every attempt; this reads those records (`GET /_kasse/webhooks/deliveries`) for the forwarding registration
and prints each new attempt as the Stripe CLI does, so a failing handler shows at once.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

POLL = 0.5  # seconds between reads of the delivery log
BATCH = 200  # the newest deliveries of the sales unit read each time

Echo = Callable[[str], None]


def describe_attempt(delivery: dict[str, Any], attempt: dict[str, Any]) -> str:
    """Return one line for one delivery attempt: status (or ERR), latency, event, reference and what failed."""
    code = attempt.get("responseCode")
    status = f"[{code}]" if code is not None else "[ERR]"
    retry = f"  attempt {attempt['number']}" if attempt.get("number", 1) > 1 else ""
    error = f"  {attempt['error']}" if attempt.get("error") else ""
    what = f"{delivery['eventType']}  {delivery.get('reference') or ''}"
    return f"  --> {status} {attempt.get('latencyMs', 0)} ms  {what}  POST {delivery.get('url')}{retry}{error}"


class ForwardReport:
    """Prints each delivery attempt to one registration as it is recorded, from a thread of its own."""

    def __init__(self, base_url: str, msn: str, webhook_id: str, echo: Echo, warn: Echo, *,
                 poll: float = POLL) -> None:
        self.base_url, self.msn, self.webhook_id = base_url, msn, webhook_id
        self.echo, self.warn, self.poll = echo, warn, poll
        self._printed: dict[int, int] = {}  # delivery id → attempts printed so far
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="kasse-listen-forwards", daemon=True)

    def start(self) -> ForwardReport:
        self._thread.start()
        return self

    def stop(self) -> None:
        """Print what was recorded up to now, then stop."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)

    def report_new(self, deliveries: list[dict[str, Any]]) -> None:
        """Print the attempts not printed yet, oldest delivery first."""
        for delivery in sorted(deliveries, key=lambda d: int(d["id"])):
            if delivery.get("webhookId") != self.webhook_id:
                continue
            attempts = delivery.get("attempts") or []
            for attempt in attempts[self._printed.get(delivery["id"], 0):]:
                self.echo(describe_attempt(delivery, attempt))
            self._printed[delivery["id"]] = len(attempts)

    def _run(self) -> None:
        from kasse.adapters.control_plane import ControlPlaneError
        from kasse.cli.control_plane import open_control_plane

        control = open_control_plane(self.base_url)
        failing = False
        try:
            while True:
                stopping = self._stop.wait(self.poll)
                try:
                    found = control.call("GET", "/_kasse/webhooks/deliveries",
                                         params={"msn": self.msn, "limit": str(BATCH)})
                except ControlPlaneError as exc:
                    if not failing:  # once, not every half second
                        self.warn(f"cannot read the forwards' results: {exc}")
                    failing = True
                else:
                    failing = False
                    self.report_new(found)
                if stopping:
                    return
        finally:
            control.close()
