"""Where the client talks to and who it says it is: base URL, credentials, and the headers they become.

The official hosts are fixed (contract §1); any other `base_url` (a kasse server) is taken as given.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from importlib import metadata
from typing import Literal

from kasse.sdk._retry import RetryPolicy

Environment = Literal["test", "production"]

# contract §1: one host per environment for every market and brand
HOSTS: dict[str, str] = {
    "test": "https://apitest.vipps.no",
    "production": "https://api.vipps.no",
}


# contract §2.3: the ePayment, Webhooks and QR specs allow 30 characters (Order Management 100)
MAX_SYSTEM_HEADER = 30


def user_agent() -> str:
    """Return the `User-Agent` of SDK requests, e.g. `kasse-python-sdk/0.1.0`."""
    try:
        version = metadata.version("kasse")
    except metadata.PackageNotFoundError:
        version = "unknown"
    return f"kasse-python-sdk/{version}"


@dataclass(frozen=True, slots=True)
class Config:
    """Everything a client needs to build requests; made once by `make_config`."""

    client_id: str
    client_secret: str = field(repr=False)  # kept out of logs and tracebacks
    subscription_key: str = field(repr=False)
    merchant_serial_number: str
    base_url: str
    user_agent: str = "kasse-python-sdk"
    system_headers: dict[str, str] = field(default_factory=dict)
    timeout: float = 30.0
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    token_refresh_margin: float = 60.0
    partner: bool = False  # accounting-partner keys: a token from /miami/v1/token, the Report API only

    def token_headers(self) -> dict[str, str]:
        """Return the headers of `POST /accesstoken/get` (contract §2.1), or of `/miami/v1/token` for a partner."""
        if self.partner:  # Basic client credentials, no subscription key (Report API contract §1.1)
            basic = base64.b64encode(f"{self.client_id}:{self.client_secret}".encode()).decode()
            return {"Authorization": f"Basic {basic}", **self.system_headers}
        return {
            "client_id": self.client_id,
            "client_secret": self.client_secret,
            "Ocp-Apim-Subscription-Key": self.subscription_key,
            "Merchant-Serial-Number": self.merchant_serial_number,
            **self.system_headers,
        }

    def api_headers(self, token: str) -> dict[str, str]:
        """Return the headers every API call carries (contract §2.3); a partner sends only its token."""
        if self.partner:
            return {"Authorization": f"Bearer {token}", **self.system_headers}
        return {
            "Authorization": f"Bearer {token}",
            "Ocp-Apim-Subscription-Key": self.subscription_key,
            "Merchant-Serial-Number": self.merchant_serial_number,
            **self.system_headers,
        }


def make_config(
    *,
    client_id: str,
    client_secret: str,
    subscription_key: str,
    merchant_serial_number: str,
    base_url: str | None,
    environment: Environment,
    system_name: str | None,
    system_version: str | None,
    plugin_name: str | None,
    plugin_version: str | None,
    timeout: float,
    retry: RetryPolicy,
    token_refresh_margin: float,
    partner: bool = False,
) -> Config:
    """Check the client's arguments and return its configuration (a partner has no subscription key or MSN).

    Raises:
        ValueError: an unknown environment, a missing credential, or a system header that is too long.
    """
    if base_url is None:
        if environment not in HOSTS:
            raise ValueError(f"environment must be 'test' or 'production', not {environment!r}")
        base_url = HOSTS[environment]
    credentials = {"client_id": client_id, "client_secret": client_secret}
    if not partner:
        credentials.update(subscription_key=subscription_key, merchant_serial_number=merchant_serial_number)
    missing = [name for name, value in credentials.items() if not value]
    if missing:
        raise ValueError(f"missing credentials: {', '.join(missing)}")
    system = {
        "Vipps-System-Name": system_name,
        "Vipps-System-Version": system_version,
        "Vipps-System-Plugin-Name": plugin_name,
        "Vipps-System-Plugin-Version": plugin_version,
    }
    too_long = [name for name, value in system.items() if value and len(value) > MAX_SYSTEM_HEADER]
    if too_long:
        raise ValueError(f"at most {MAX_SYSTEM_HEADER} characters: {', '.join(too_long)}")
    return Config(
        client_id=client_id,
        client_secret=client_secret,
        subscription_key=subscription_key,
        merchant_serial_number=merchant_serial_number,
        base_url=base_url.rstrip("/"),
        user_agent=user_agent(),
        system_headers={name: value for name, value in system.items() if value},
        timeout=timeout,
        retry=retry,
        token_refresh_margin=token_refresh_margin,
        partner=partner,
    )
