"""`kasse demo`: the four in-person scenarios against a fresh server (or a running one), told as a timeline.

A scripted customer (the wallet's control API) scans and approves; the POS (its own HTTP API) asks, captures
and checks; the platform's webhook log shows what was delivered where. Standard-library HTTP only.
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from kasse.cli.options import BASE_URL

KARI = "4712345678"
Echo = Callable[[str], None]


class DemoError(Exception):
    """The demo could not go on."""


class Demo:
    def __init__(self, base_url: str, echo: Echo) -> None:
        self.base, self.echo, self.started = base_url, echo, time.monotonic()
        # the POS's pages hand out a CSRF token in a cookie; every change sends it back (kasse.api.csrf)
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))

    def call(self, method: str, path: str, body: dict[str, Any] | None = None, raw: bool = False) -> Any:
        if method != "GET" and path.startswith("/pos") and not any(c.name == "kasse_csrf" for c in self.cookies):
            self.call("GET", "/pos/signin", raw=True)  # a page hands out the CSRF token the POS's API asks for
        data = json.dumps(body).encode() if body is not None else None
        headers = {"content-type": "application/json"}
        for cookie in self.cookies:
            if cookie.name == "kasse_csrf" and cookie.value:
                headers["x-csrf-token"] = cookie.value
        request = urllib.request.Request(self.base + path, data=data, method=method, headers=headers)
        try:
            with self.opener.open(request, timeout=15) as response:
                content = response.read()
        except urllib.error.HTTPError as err:
            raise DemoError(f"{method} {path}: {err.code} {err.read()[:300]!r}") from None
        return content if raw else json.loads(content or b"null")

    def say(self, who: str, what: str) -> None:
        self.echo(f"  {time.monotonic() - self.started:6.2f}s  {who:<9} {what}")

    def wait(self, check: Callable[[], Any], what: str, timeout: float = 20.0) -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if found := check():
                return found
            time.sleep(0.1)
        raise DemoError(f"timed out waiting for {what}")

    def ring_up(self, till: str, products: dict[str, int]) -> dict[str, Any]:
        self.call("POST", f"/pos/api/terminals/{till}/done")
        state: dict[str, Any] = {}
        for product, count in products.items():
            for _ in range(count):
                state = self.call("POST", f"/pos/api/terminals/{till}/cart", {"productId": product, "delta": 1})
        lines = ", ".join(f"{ln['quantity']} × {ln['name']}" for ln in state["cart"]["lines"])
        self.say("cashier", f"rings up {lines}: {state['cart']['total']} (VAT {state['cart']['vat']})")
        return state

    def pay(self, till: str, method: str, value: str = "") -> dict[str, Any]:
        sale: dict[str, Any] = self.call("POST", f"/pos/api/terminals/{till}/pay",
                                         {"method": method, "value": value})["sale"]
        flow = "QR" if method == "qr" else "PUSH_MESSAGE"
        self.say("POS", f"POST /epayment/v1/payments {sale['reference']} userFlow={flow} CUSTOMER_PRESENT "
                        f"with receipt #{sale['receiptNumber']}")
        return sale

    def settled(self, till: str) -> dict[str, Any]:
        sale: dict[str, Any] = self.wait(lambda: (s := self.call("GET", f"/pos/api/terminals/{till}")["sale"])
                                         and s["settled"] and s, "the sale to settle")
        return sale

    def webhooks_and_capture(self, reference: str) -> None:
        def delivered() -> list[dict[str, Any]]:
            found: list[dict[str, Any]] = self.call("GET", f"/_kasse/webhooks/deliveries?reference={reference}")
            return [d for d in found if d["state"] == "DELIVERED"]

        for d in sorted(self.wait(delivered, "the webhook"), key=lambda d: d["id"]):
            code = d["attempts"][-1]["responseCode"] if d["attempts"] else "?"
            self.say("platform", f"webhook {d['eventType']} → {d['url']} (answered {code}, signature verified)")

    def check(self, sale: dict[str, Any]) -> None:
        self.say("POS", f"POST .../capture {sale['total']} → aggregate.capturedAmount {sale['captured']}")
        verdict = "equals the sale total: PAID" if sale["status"] == "paid" else f"→ {sale['status'].upper()}"
        self.say("check", f"captured {sale['captured']} {verdict}. {sale['message']}")


def scenario_qr(demo: Demo) -> None:
    from kasse.adapters.qr_decode import ZxingQrReader

    demo.ring_up("demo-1", {"cappuccino": 2, "cinnamon-bun": 1})
    sale = demo.pay("demo-1", "qr")
    png = demo.call("GET", sale["qrUrl"].removeprefix(demo.base) + "&format=png&size=600", raw=True)
    [content] = ZxingQrReader().read(png)
    demo.say("display", f"shows the one-time QR ({content})")
    scanned = demo.call("POST", f"/_kasse/wallet/{KARI}/scan", {"content": content})
    demo.say("Kari", f"scans it in the wallet: {scanned['kind']}, approves")
    demo.call("POST", f"/_kasse/wallet/{KARI}/payments/{sale['reference']}/approve", {})
    done = demo.settled("demo-1")
    demo.webhooks_and_capture(sale["reference"])
    demo.check(done)


def scenario_scan(demo: Demo) -> None:
    user = demo.call("GET", f"/_kasse/users/{KARI}")
    content = user["personalQr"]["tokenized"]
    demo.say("Kari", f"shows My QR; the scanner types {content} + Enter")
    demo.ring_up("demo-1", {"latte": 1, "croissant": 1})
    sale = demo.pay("demo-1", "scan", content)
    demo.say("POS", "exchanged it with POST /qr/v1/exchange → phoneNumber; the request is pushed to the app")
    demo.call("POST", f"/_kasse/wallet/{KARI}/payments/{sale['reference']}/approve", {})
    demo.say("Kari", "approves the push in the wallet")
    done = demo.settled("demo-1")
    demo.webhooks_and_capture(sale["reference"])
    demo.check(done)


def scenario_phone(demo: Demo) -> None:
    demo.ring_up("demo-1", {"sandwich": 1, "water": 1})
    refused = demo.pay("demo-1", "phone", "400 00 001")
    demo.say("POS", f"unknown number → {refused['message']}")
    demo.call("POST", "/pos/api/terminals/demo-1/done")
    sale = demo.pay("demo-1", "phone", "123 45 678")
    demo.call("POST", f"/_kasse/wallet/{KARI}/payments/{sale['reference']}/approve", {})
    demo.say("Kari", "approves the push in the wallet")
    done = demo.settled("demo-1")
    demo.webhooks_and_capture(sale["reference"])
    demo.check(done)


def scenario_vending(demo: Demo) -> None:
    demo.call("GET", "/pos/vending/7", raw=True)  # sets up the machine's printed callback QR
    qr = demo.call("GET", "/pos/api/vending/7/qr")
    demo.say("machine", f"printed merchant callback QR {qr['merchantQrId']} ({qr['qrContent']})")
    before = (demo.call("GET", "/pos/api/terminals/vending-7")["sale"] or {}).get("reference")  # a running server's
    demo.call("POST", f"/_kasse/wallet/{KARI}/scan", {"content": qr["qrContent"]})
    demo.say("Kari", "scans it; the app waits for the merchant")
    sale = demo.wait(lambda: (s := demo.call("GET", "/pos/api/terminals/vending-7")["sale"])
                     and s["reference"] != before and s, "the check-in")
    demo.say("platform", "webhook user.checked-in.v1 with a customerToken → POS")
    demo.say("POS", f"pushes {sale['reference']} with the customerToken, reserving the highest price {sale['total']}")
    demo.call("POST", f"/_kasse/wallet/{KARI}/payments/{sale['reference']}/approve", {})
    demo.say("Kari", "approves the reservation, then picks a chocolate bar (25,00 kr)")
    demo.wait(lambda: "Choose" in demo.call("GET", "/pos/api/terminals/vending-7")["sale"]["message"], "approval")
    demo.call("POST", "/pos/api/vending/7/choose", {"item": "chocolate"})
    done = demo.settled("vending-7")
    demo.check(done)


SCENARIOS = (("1. Customer-facing screen: one-time QR on the display", scenario_qr),
             ("2. QR scanner: the customer's personal QR", scenario_scan),
             ("3. Manual entry: the customer's phone number", scenario_phone),
             ("4. Static QR: vending machine, reserve the maximum, capture the choice", scenario_vending))


def start_server(directory: Path) -> tuple[subprocess.Popen[bytes], str]:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "KASSE_POS_FIRST_POLL": "5", "KASSE_POS_POLL_INTERVAL": "2"}
    log = (directory / "server.log").open("wb")
    proc = subprocess.Popen([sys.executable, "-m", "kasse", "serve", "--port", str(port), "--db",
                             str(directory / "kasse.db")], stdout=log, stderr=subprocess.STDOUT, env=env)
    base = f"http://127.0.0.1:{port}"
    demo = Demo(base, lambda _: None)

    def up() -> bool:
        try:
            return bool(demo.call("GET", "/_kasse/clock"))
        except (DemoError, OSError):
            return False

    try:
        demo.wait(up, "the server", timeout=30)
    except DemoError:
        proc.terminate()
        raise DemoError(f"the server did not start; see {directory / 'server.log'}") from None
    return proc, base


def play(base: str, echo: Echo) -> int:
    """Run the four scenarios against the server at `base`; return the exit status."""
    try:
        demo = Demo(base, echo)
        demo.call("GET", "/pos", raw=True)  # the POS starts and registers its webhook receiver
        for title, scenario in SCENARIOS:
            echo(f"\n{title}")
            scenario(demo)
        echo("\nAll four scenarios paid, each capture checked against its sale total.")
        return 0
    except (DemoError, OSError, KeyError, ValueError) as err:
        echo(f"\ndemo failed: {err}")
        return 1


def check_reachable(base: str) -> None:
    """Refuse a server the demo cannot drive: not running, or without a control plane (production mode)."""
    try:
        Demo(base, lambda _: None).call("GET", "/_kasse/clock")
    except DemoError as err:
        raise click.UsageError(f"kasse at {base} has no test control plane (production mode?): {err}") from None
    except OSError as err:
        raise click.UsageError(f"cannot reach kasse at {base} ({err}); is `kasse serve` running there?") from None


def run_demo(echo: Echo, base_url: str | None = None) -> int:
    """Run the four scenarios against a fresh server, or the one at `base_url`; return the exit status."""
    if base_url is not None:
        check_reachable(base_url)
        echo(f"kasse demo: the server at {base_url} (POS at {base_url}/pos); its payments stay there")
        return play(base_url, echo)
    with tempfile.TemporaryDirectory(prefix="kasse-demo-") as tmp:
        try:
            proc, base = start_server(Path(tmp))
        except DemoError as err:
            echo(str(err))
            return 1
        try:
            echo(f"kasse demo: a fresh server at {base} (POS at {base}/pos)")
            return play(base, echo)
        finally:
            proc.terminate()
            proc.wait(timeout=15)


@click.command()
@click.option("--url", "base_url", type=BASE_URL, default=None,
              help="Run against the kasse server at this URL and leave the payments there (default: a fresh "
                   "server of its own, gone afterwards).")
def demo(base_url: str | None) -> None:
    """Run the four in-person scenarios and print each one's timeline."""
    sys.exit(run_demo(click.echo, base_url))
