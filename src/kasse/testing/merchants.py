"""Sales units made for a test through `POST /_kasse/merchants`, with what the SDK needs to act as them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from kasse.adapters.control_plane import HttpxControlPlane

if TYPE_CHECKING:
    from kasse.sdk import Client


@dataclass(frozen=True)
class Merchant:
    """One sales unit's credentials on a kasse server."""

    base_url: str
    msn: str
    name: str
    market: str
    client_id: str
    client_secret: str
    subscription_key: str

    def client(self, **options: Any) -> Client:
        """Return a `kasse.sdk.Client` for this sales unit; `options` go to the Client (e.g. `retry=`).

        Example:
            >>> with kasse_merchant.client() as client:
            ...     client.payments.get("order-1001")
        """
        from kasse.sdk import Client

        return Client(client_id=self.client_id, client_secret=self.client_secret,
                      subscription_key=self.subscription_key, merchant_serial_number=self.msn,
                      base_url=self.base_url, **options)

    def headers(self) -> dict[str, str]:
        """Return the headers `POST /accesstoken/get` needs, for a POS that fetches its own token."""
        return {"client_id": self.client_id, "client_secret": self.client_secret,
                "Ocp-Apim-Subscription-Key": self.subscription_key, "Merchant-Serial-Number": self.msn}


def new_merchant(control: HttpxControlPlane, **spec: Any) -> Merchant:
    """Create a sales unit; `spec` is the control plane's body (name, market, msn, pushAllowed, ...)."""
    m = control.call("POST", "/_kasse/merchants", json=spec)
    return Merchant(control.base_url, m["msn"], m["name"], m["market"], m["clientId"], m["clientSecret"],
                    m["subscriptionKey"])
