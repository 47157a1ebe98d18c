"""What a merchant sends to create an ePayment payment (contract §4.2), field for field.

Online-only parts (Express shipping, card passthrough, airline data) are modelled too, so nothing the
API accepts is out of reach, but an in-person sale needs only amount, reference, user flow, customer
and `customer_interaction=CustomerInteraction.CUSTOMER_PRESENT`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from kasse.sdk._money import Amount
from kasse.sdk._receipt_models import Receipt


class UserFlow(StrEnum):
    """How the customer is brought to the payment."""

    PUSH_MESSAGE = "PUSH_MESSAGE"  # a push notification to the known customer's app (phone number, QR, token)
    NATIVE_REDIRECT = "NATIVE_REDIRECT"  # the merchant's own app switches straight into the wallet app
    WEB_REDIRECT = "WEB_REDIRECT"  # a browser goes to the landing page; needs a return_url
    QR = "QR"  # a one-time QR code for a customer-facing screen; redirect_url is its image


class CustomerInteraction(StrEnum):
    """Whether the customer stands at the till; in-person sales must say CUSTOMER_PRESENT."""

    CUSTOMER_PRESENT = "CUSTOMER_PRESENT"  # at a physical point of sale
    CUSTOMER_NOT_PRESENT = "CUSTOMER_NOT_PRESENT"  # online or remote; the API's default


class PaymentMethodType(StrEnum):
    """What the customer pays with."""

    WALLET = "WALLET"  # the Vipps or MobilePay app; the default and the only in-person choice
    CARD = "CARD"  # a card form without the app; web redirect only, absent from the test environment
    CARD_PASSTHROUGH = "CARD_PASSTHROUGH"  # card details handed to a PSP; needs card_passthrough


class BlockedPaymentSource(StrEnum):
    """A kind of card the customer may not pay with (Danish and Finnish sales units)."""

    COMMERCIAL_CARDS = "COMMERCIAL_CARDS"  # company cards


class PaymentQrFormat(StrEnum):
    """What `redirect_url` holds for a QR payment."""

    IMAGE_SVG = "IMAGE/SVG+XML"  # a link to an SVG image of the QR code; the default
    IMAGE_PNG = "IMAGE/PNG"  # a link to a PNG image, `size` pixels square
    TEXT_TARGET_URL = "TEXT/TARGETURL"  # the text the QR code encodes, to draw it yourself


class ShippingType(StrEnum):
    """How an Express order is delivered."""

    HOME_DELIVERY = "HOME_DELIVERY"  # to the door
    PICKUP_POINT = "PICKUP_POINT"  # to a parcel shop or locker
    MAILBOX = "MAILBOX"  # into the mailbox
    IN_STORE = "IN_STORE"  # collected in the shop
    OTHER = "OTHER"  # anything else


class ShippingBrand(StrEnum):
    """The carrier of an Express shipping option."""

    POSTEN = "POSTEN"  # Posten Norge
    BRING = "BRING"  # Bring
    POSTNORD = "POSTNORD"  # PostNord
    HELTHJEM = "HELTHJEM"  # Helthjem
    PORTERBUDDY = "PORTERBUDDY"  # Porterbuddy
    DHL = "DHL"  # DHL
    INSTABOX = "INSTABOX"  # Instabox
    FEDEX = "FEDEX"  # FedEx
    MATKAHUOLTO = "MATKAHUOLTO"  # Matkahuolto (Finland)
    GLS = "GLS"  # GLS
    POSTI = "POSTI"  # Posti (Finland)
    GORDON = "GORDON"  # Gordon Delivery
    OTHER = "OTHER"  # any other carrier


class CardType(StrEnum):
    """A card type a card passthrough payment may use."""

    VISA_DEBIT = "VISA_DEBIT"  # Visa debit card
    VISA_CREDIT = "VISA_CREDIT"  # Visa credit card
    MC_CREDIT = "MC_CREDIT"  # Mastercard credit card
    MC_DEBIT = "MC_DEBIT"  # Mastercard debit card
    DANKORT = "DANKORT"  # Danish Dankort


@dataclass(frozen=True, slots=True, kw_only=True)
class Customer:
    """The customer, when known: exactly one of phone number, scanned personal QR or check-in token.

    Example:
        >>> Customer(phone_number="4712345678")
        Customer(phone_number='4712345678', personal_qr=None, customer_token=None)
    """

    phone_number: str | None = None  # MSISDN digits with country code, no "+"
    personal_qr: str | None = None  # the scanned text of the customer's personal QR, verbatim
    customer_token: str | None = None  # from a `user.checked-in.v1` webhook

    def __post_init__(self) -> None:
        given = [v for v in (self.phone_number, self.personal_qr, self.customer_token) if v is not None]
        if len(given) != 1:
            raise ValueError("a customer is exactly one of phone_number, personal_qr or customer_token")


@dataclass(frozen=True, slots=True, kw_only=True)
class PaymentMethod:
    """The payment method and the card kinds to refuse."""

    type: PaymentMethodType = PaymentMethodType.WALLET
    blocked_sources: Sequence[BlockedPaymentSource] | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class QrFormat:
    """The QR code a `UserFlow.QR` payment returns."""

    format: PaymentQrFormat = PaymentQrFormat.IMAGE_SVG
    size: int | None = None  # pixels, 100–2000, PNG only


@dataclass(frozen=True, slots=True, kw_only=True)
class ProfileRequest:
    """Profile data to ask the customer to share, as space-separated scopes, e.g. "name phoneNumber"."""

    scope: str


@dataclass(frozen=True, slots=True, kw_only=True)
class AirlineData:
    """Ticket data for airline payments."""

    agency_invoice_number: str
    airline_code: str
    airline_designator_code: str
    passenger_name: str
    ticket_number: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class IndustryData:
    """Industry-specific data sent with the payment."""

    airline_data: AirlineData | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class DynamicOptions:
    """Express: the merchant endpoint the wallet asks for shipping options."""

    callback_url: str
    callback_authorization_token: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ShippingOption:
    """Express: one shipping choice and its price."""

    id: str
    amount: Amount
    name: str
    is_default: bool | None = None
    priority: int | None = None
    meta: str | None = None
    estimated_delivery: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ShippingGroup:
    """Express: the options of one carrier and delivery type."""

    type: ShippingType
    brand: ShippingBrand
    options: Sequence[ShippingOption]
    is_default: bool | None = None
    priority: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Shipping:
    """Express: fixed shipping options, or a callback that supplies them."""

    dynamic_options: DynamicOptions | None = None
    fixed_options: Sequence[ShippingGroup] | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class CardPassthrough:
    """Card passthrough (a PSP preview feature): where the card data goes."""

    psp_reference: str
    card_callback_url: str
    allowed_card_types: Sequence[CardType]
    prefer_visa_part_of_visa_dankort: bool | None = None
    public_encryption_key_id: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class CreatePaymentRequest:
    """A new payment (`POST /epayment/v1/payments`).

    Example:
        >>> CreatePaymentRequest(amount=Amount.nok(499_00), reference="order-1001", user_flow=UserFlow.QR,
        ...                      customer_interaction=CustomerInteraction.CUSTOMER_PRESENT)  # doctest: +ELLIPSIS
        CreatePaymentRequest(...)
    """

    amount: Amount
    reference: str  # yours: 8–64 of a-z, A-Z, 0-9 and "-", unique per sales unit
    user_flow: UserFlow
    payment_method: PaymentMethod = field(default_factory=PaymentMethod)
    customer: Customer | None = None
    customer_interaction: CustomerInteraction | None = None
    payment_description: str | None = None
    receipt: Receipt | None = None
    receipt_url: str | None = None
    return_url: str | None = None
    qr_format: QrFormat | None = None
    expires_at: datetime | None = None  # long-living payments; timezone-aware
    metadata: Mapping[str, str] | None = None
    profile: ProfileRequest | None = None
    minimum_user_age: int | None = None
    industry_data: IndustryData | None = None
    shipping: Shipping | None = None
    card_passthrough: CardPassthrough | None = None
