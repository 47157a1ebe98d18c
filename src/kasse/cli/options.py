"""Option types the `kasse` commands share, each checking its value by the rule the API applies.

A value the API would refuse is refused here first, by the same rule (`domain.merchant`, `domain.user`),
as one line naming the option: `kasse merchant create --msn 12` does not get as far as the server.
"""

from __future__ import annotations

from typing import Any, NoReturn
from urllib.parse import urlsplit

import click

from kasse.domain import merchant, user, webhook_registration


def base_url_problem(url: str) -> str | None:
    """Return why `url` cannot be the base URL of a kasse server (None when it can)."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - parsing the port is the check
    except ValueError as exc:
        return f"{url!r} is not a URL ({exc})"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return f"{url!r} is not an http:// or https:// URL with a host, such as http://127.0.0.1:8000"
    if parts.query or parts.fragment:
        return f"{url!r} has a query or fragment; give the server's base URL only"
    return None


class CheckedType(click.ParamType[str]):
    """A value checked by a rule; a refusal says when the value came from the environment, not the line."""

    def fail(self, message: str, param: click.Parameter | None = None, ctx: click.Context | None = None) -> NoReturn:
        from_env = (ctx is not None and isinstance(param, click.Option) and param.name is not None and param.envvar
                    and ctx.get_parameter_source(param.name) is click.core.ParameterSource.ENVIRONMENT)
        super().fail(f"${param.envvar}: {message}" if from_env and param else message, param, ctx)


class BaseUrl(CheckedType):
    """The base URL of a kasse server (or of the platform a POS talks to), without its trailing slash."""

    name = "URL"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        problem = base_url_problem(str(value))
        if problem is not None:
            self.fail(problem, param, ctx)
        return str(value).rstrip("/")


class WebhookUrl(CheckedType):
    """Where a test-mode webhook may point, by the Webhooks API's rule (`domain.webhook_registration`)."""

    name = "URL"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        try:
            webhook_registration.check_url(str(value), production=False)  # `kasse listen` needs test mode
        except webhook_registration.InvalidRegistrationError as exc:
            self.fail(f"{value!r}: {exc.detail}", param, ctx)
        return str(value)


class Msn(CheckedType):
    """A Merchant Serial Number, by `domain.merchant.MSN_PATTERN`."""

    name = "MSN"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        try:
            merchant.check_msn(str(value))
        except merchant.MerchantFieldError as exc:
            self.fail(str(exc), param, ctx)
        return str(value)


class SalesUnitName(CheckedType):
    """A sales unit's name, by `domain.merchant.check_name`."""

    name = "NAME"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        try:
            merchant.check_name(str(value))
        except merchant.MerchantFieldError as exc:
            self.fail(str(exc), param, ctx)
        return str(value)


class UserName(CheckedType):
    """A wallet user's full name, by `domain.user.check_name`."""

    name = "NAME"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        try:
            user.check_name(str(value))
        except ValueError as exc:
            self.fail(str(exc), param, ctx)
        return str(value)


class Msisdn(CheckedType):
    """A phone number as the APIs take it, by `domain.user.MSISDN_PATTERN`."""

    name = "MSISDN"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        if not user.MSISDN.fullmatch(str(value)):
            self.fail("9 to 15 digits: country code and number, no + or spaces", param, ctx)
        return str(value)


BASE_URL, MSN, SALES_UNIT_NAME, USER_NAME, MSISDN = BaseUrl(), Msn(), SalesUnitName(), UserName(), Msisdn()
DEFAULT_URL = "http://127.0.0.1:8000"

url_option = click.option("--url", "base_url", type=BASE_URL, default=DEFAULT_URL, show_default=True,
                          envvar="KASSE_URL", help="Base URL of the kasse server ($KASSE_URL).")
