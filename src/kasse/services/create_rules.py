"""The rules a create request must pass beyond its schema (contract §4.2), each with its ErrorCode.

The schema (types, patterns, lengths) is checked at the edge; these rules need the sales unit,
the clock or several fields at once. They run in order; the first that fails answers.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from kasse.domain.errors import DomainError, ErrorCode
from kasse.domain.merchant import Merchant
from kasse.domain.money import MINIMUM_PAYMENT, Market
from kasse.domain.urls import is_acceptable_redirect
from kasse.services.payment_commands import CreatePayment, UserFlow

# contract §4.12: a long-living payment lives more than 10 minutes and less than 60 days
LONG_LIVING_MIN = timedelta(minutes=10)
LONG_LIVING_MAX = timedelta(days=60)

ALLOWED_SCOPES = frozenset({"name", "address", "email", "phoneNumber", "birthDate", "nin"})

# contract §4.2.1: metadata holds at most 5 entries, keys up to 100 and values up to 500 characters
METADATA_ENTRIES, METADATA_KEY, METADATA_VALUE = 5, 100, 500


def _metadata(c: CreatePayment) -> dict[str, str]:
    return c.wire.get("metadata") or {}


def _bad_url(c: CreatePayment) -> bool:
    urls = [c.wire.get("returnUrl"), c.wire.get("receiptUrl")]
    return any(u is not None and not is_acceptable_redirect(u) for u in urls)


Rule = tuple[Callable[[CreatePayment, Merchant, datetime], bool], ErrorCode, str]

RULES: tuple[Rule, ...] = (
    (lambda c, m, now: c.amount.currency != m.currency, ErrorCode.INVALID_CURRENCY_FOR_MERCHANT,
     "The currency does not match the sales unit's market"),
    (lambda c, m, now: c.amount.value < MINIMUM_PAYMENT[c.amount.currency], ErrorCode.AMOUNT_TOO_SMALL,
     "The amount is below the smallest payment for this currency"),
    (lambda c, m, now: c.payment_method != "WALLET", ErrorCode.INVALID_PAYMENT_METHOD_TYPE,
     "Only WALLET payments are available in kasse"),
    (lambda c, m, now: c.blocked_sources and m.market is Market.NO, ErrorCode.BLOCKED_SOURCES_NOT_APPLICABLE,
     "blockedSources applies only to Danish and Finnish sales units"),
    (lambda c, m, now: len(_metadata(c)) > METADATA_ENTRIES, ErrorCode.METADATA_CAPACITY_EXCEEDED,
     "metadata holds at most 5 entries"),
    (lambda c, m, now: any(len(k) > METADATA_KEY for k in _metadata(c)), ErrorCode.METADATA_KEY_TOO_LONG,
     "metadata keys are at most 100 characters"),
    (lambda c, m, now: any(len(v) > METADATA_VALUE for v in _metadata(c).values()),
     ErrorCode.METADATA_VALUE_TOO_LONG, "metadata values are at most 500 characters"),
    (lambda c, m, now: _bad_url(c), ErrorCode.INVALID_URL,
     "returnUrl and receiptUrl must use https or a custom scheme"),
    (lambda c, m, now: c.user_flow is UserFlow.PUSH_MESSAGE and c.customer is None,
     ErrorCode.MISSING_REQUIRED_PARAMETER, "customer is required for PUSH_MESSAGE"),
    (lambda c, m, now: c.user_flow is UserFlow.WEB_REDIRECT and not c.return_url,
     ErrorCode.MISSING_REQUIRED_PARAMETER, "returnUrl is required for WEB_REDIRECT"),
    (lambda c, m, now: c.user_flow is UserFlow.PUSH_MESSAGE and not m.push_allowed,
     ErrorCode.PUSH_MESSAGE_NOT_ALLOWED, "This sales unit may not skip the landing page"),
    (lambda c, m, now: any(s not in ALLOWED_SCOPES for s in c.scopes), ErrorCode.INVALID_SCOPE,
     "profile.scope names an unknown scope"),
    (lambda c, m, now: "nin" in c.scopes, ErrorCode.ILLEGAL_SCOPE,
     "This sales unit may not ask for the national identity number"),
    (lambda c, m, now: c.expires_at is not None and not m.long_living_allowed, ErrorCode.LONG_LIVING_NOT_ALLOWED,
     "This sales unit may not create long-living payments"),
    (lambda c, m, now: c.expires_at is not None and not c.has_receipt, ErrorCode.LONG_LIVING_REQUIRES_RECEIPT,
     "expiresAt requires a receipt"),
    (lambda c, m, now: c.expires_at is not None and c.expires_at < now + LONG_LIVING_MIN,
     ErrorCode.EXPIRATION_TOO_SOON, "expiresAt must be more than 10 minutes ahead"),
    (lambda c, m, now: c.expires_at is not None and c.expires_at > now + LONG_LIVING_MAX,
     ErrorCode.EXPIRATION_TOO_LATE, "expiresAt must be less than 60 days ahead"),
)


def check_create(cmd: CreatePayment, merchant: Merchant, now: datetime) -> None:
    """Refuse a create request that breaks a rule of contract §4.2.

    Raises:
        DomainError: the first rule that fails, with its ErrorCode.
    """
    for broken, code, detail in RULES:
        if broken(cmd, merchant, now):
            raise DomainError(code, detail)
