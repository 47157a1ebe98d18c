"""`client.qr`: merchant redirect QR codes, merchant callback QR codes and exchanges (contract §5.2, §5.4, §6)."""

from __future__ import annotations

from collections.abc import Sequence

from kasse.sdk import _qr_calls as calls
from kasse.sdk._core import AsyncCore, SyncCore
from kasse.sdk._qr_models import (
    CallbackQrFormat,
    ExchangedCustomer,
    ExchangedQr,
    MerchantCallbackQr,
    MerchantRedirectQr,
    RedirectQrFormat,
    RequestedData,
)

SVG = RedirectQrFormat.SVG
MSISDN = (RequestedData.MSISDN,)


class RedirectQrs:
    """Merchant redirect QR codes of a `Client`: `client.qr.redirects`."""

    def __init__(self, core: SyncCore) -> None:
        self._core = core

    def create(self, qr_id: str, redirect_url: str, *, ttl: int | None = None, image: RedirectQrFormat = SVG,
               size: int | None = None) -> MerchantRedirectQr:
        """Create a printable QR code that opens `redirect_url` (https); `ttl` seconds deletes it later.

        Example:
            >>> qr = client.qr.redirects.create("machine-42", "https://shop.example.com/machine/42")
            >>> qr.url  # the image to print
        """
        return self._core.run(calls.create_redirect(qr_id, redirect_url, ttl, image, size))

    def list(self, *, image: RedirectQrFormat = SVG, size: int | None = None) -> tuple[MerchantRedirectQr, ...]:
        """Return every redirect QR code of the sales unit.

        Example:
            >>> [qr.id for qr in client.qr.redirects.list()]
        """
        return self._core.run(calls.list_redirects(image, size))

    def get(self, qr_id: str, *, image: RedirectQrFormat = SVG, size: int | None = None) -> MerchantRedirectQr:
        """Return one redirect QR code.

        Example:
            >>> client.qr.redirects.get("machine-42", image=RedirectQrFormat.PNG, size=600).url
        """
        return self._core.run(calls.get_redirect(qr_id, image, size))

    def update(self, qr_id: str, redirect_url: str, *, image: RedirectQrFormat = SVG,
               size: int | None = None) -> MerchantRedirectQr:
        """Point a printed QR code at a new URL; the image stays the same.

        Example:
            >>> client.qr.redirects.update("machine-42", "https://shop.example.com/machine/43")
        """
        return self._core.run(calls.update_redirect(qr_id, redirect_url, image, size))

    def delete(self, qr_id: str) -> None:
        """Delete a redirect QR code; printed copies stop working for good.

        Example:
            >>> client.qr.redirects.delete("machine-42")
        """
        self._core.run(calls.delete_redirect(qr_id))


class CallbackQrs:
    """Merchant callback QR codes of a `Client`: `client.qr.callbacks`."""

    def __init__(self, core: SyncCore) -> None:
        self._core = core

    def put(self, merchant_qr_id: str, location_description: str) -> None:
        """Create the QR code `merchant_qr_id`, or change the location text the app shows for it.

        Example:
            >>> client.qr.callbacks.put("till-1", "Kasse 1")
        """
        self._core.run(calls.put_callback(merchant_qr_id, location_description))

    def list(self, *, image: CallbackQrFormat | None = None, size: int | None = None) -> tuple[MerchantCallbackQr, ...]:
        """Return every callback QR code of the sales unit.

        Example:
            >>> [qr.location_description for qr in client.qr.callbacks.list()]
        """
        return self._core.run(calls.list_callbacks(image, size))

    def get(self, merchant_qr_id: str, *, image: CallbackQrFormat | None = None,
            size: int | None = None) -> MerchantCallbackQr:
        """Return one callback QR code with its image URL.

        Example:
            >>> client.qr.callbacks.get("till-1", image=CallbackQrFormat.PNG, size=500).qr_image_url
        """
        return self._core.run(calls.get_callback(merchant_qr_id, image, size))

    def delete(self, merchant_qr_id: str) -> None:
        """Delete a callback QR code.

        Example:
            >>> client.qr.callbacks.delete("till-1")
        """
        self._core.run(calls.delete_callback(merchant_qr_id))


class Qr:
    """The QR API of a `Client`: `client.qr`."""

    def __init__(self, core: SyncCore) -> None:
        self._core = core
        self.redirects = RedirectQrs(core)
        self.callbacks = CallbackQrs(core)

    def exchange(self, qr_code: str, requested_data: Sequence[RequestedData] = MSISDN) -> ExchangedQr:
        """Return the phone number behind a scanned personal QR code; pass the scan verbatim.

        Example:
            >>> client.qr.exchange("https://qr.vipps.no/28/2/01/031/4712345678?v=1").msisdn
            '4712345678'
        """
        return self._core.run(calls.exchange(qr_code, requested_data))

    def exchange_customer(self, customer_token: str,
                          requested_data: Sequence[RequestedData] = MSISDN) -> ExchangedCustomer:
        """Return the phone number behind a check-in's customer token.

        Example:
            >>> client.qr.exchange_customer(event.customer_token).msisdn
        """
        return self._core.run(calls.exchange_customer(customer_token, requested_data))


class AsyncRedirectQrs:
    """Merchant redirect QR codes of an `AsyncClient`; the same methods as `RedirectQrs`, awaited."""

    def __init__(self, core: AsyncCore) -> None:
        self._core = core

    async def create(self, qr_id: str, redirect_url: str, *, ttl: int | None = None, image: RedirectQrFormat = SVG,
                     size: int | None = None) -> MerchantRedirectQr:
        """Create a printable QR code that opens `redirect_url`.

        Example:
            >>> qr = await client.qr.redirects.create("machine-42", "https://shop.example.com/machine/42")
        """
        return await self._core.run(calls.create_redirect(qr_id, redirect_url, ttl, image, size))

    async def list(self, *, image: RedirectQrFormat = SVG,
                   size: int | None = None) -> tuple[MerchantRedirectQr, ...]:
        """Return every redirect QR code of the sales unit.

        Example:
            >>> qrs = await client.qr.redirects.list()
        """
        return await self._core.run(calls.list_redirects(image, size))

    async def get(self, qr_id: str, *, image: RedirectQrFormat = SVG, size: int | None = None) -> MerchantRedirectQr:
        """Return one redirect QR code.

        Example:
            >>> qr = await client.qr.redirects.get("machine-42")
        """
        return await self._core.run(calls.get_redirect(qr_id, image, size))

    async def update(self, qr_id: str, redirect_url: str, *, image: RedirectQrFormat = SVG,
                     size: int | None = None) -> MerchantRedirectQr:
        """Point a printed QR code at a new URL.

        Example:
            >>> qr = await client.qr.redirects.update("machine-42", "https://shop.example.com/machine/43")
        """
        return await self._core.run(calls.update_redirect(qr_id, redirect_url, image, size))

    async def delete(self, qr_id: str) -> None:
        """Delete a redirect QR code.

        Example:
            >>> await client.qr.redirects.delete("machine-42")
        """
        await self._core.run(calls.delete_redirect(qr_id))


class AsyncCallbackQrs:
    """Merchant callback QR codes of an `AsyncClient`; the same methods as `CallbackQrs`, awaited."""

    def __init__(self, core: AsyncCore) -> None:
        self._core = core

    async def put(self, merchant_qr_id: str, location_description: str) -> None:
        """Create or rename the callback QR code `merchant_qr_id`.

        Example:
            >>> await client.qr.callbacks.put("till-1", "Kasse 1")
        """
        await self._core.run(calls.put_callback(merchant_qr_id, location_description))

    async def list(self, *, image: CallbackQrFormat | None = None,
                   size: int | None = None) -> tuple[MerchantCallbackQr, ...]:
        """Return every callback QR code of the sales unit.

        Example:
            >>> qrs = await client.qr.callbacks.list()
        """
        return await self._core.run(calls.list_callbacks(image, size))

    async def get(self, merchant_qr_id: str, *, image: CallbackQrFormat | None = None,
                  size: int | None = None) -> MerchantCallbackQr:
        """Return one callback QR code.

        Example:
            >>> qr = await client.qr.callbacks.get("till-1")
        """
        return await self._core.run(calls.get_callback(merchant_qr_id, image, size))

    async def delete(self, merchant_qr_id: str) -> None:
        """Delete a callback QR code.

        Example:
            >>> await client.qr.callbacks.delete("till-1")
        """
        await self._core.run(calls.delete_callback(merchant_qr_id))


class AsyncQr:
    """The QR API of an `AsyncClient`; the same methods as `Qr`, awaited."""

    def __init__(self, core: AsyncCore) -> None:
        self._core = core
        self.redirects = AsyncRedirectQrs(core)
        self.callbacks = AsyncCallbackQrs(core)

    async def exchange(self, qr_code: str, requested_data: Sequence[RequestedData] = MSISDN) -> ExchangedQr:
        """Return the phone number behind a scanned personal QR code.

        Example:
            >>> found = await client.qr.exchange(scanned_text)
        """
        return await self._core.run(calls.exchange(qr_code, requested_data))

    async def exchange_customer(self, customer_token: str,
                                requested_data: Sequence[RequestedData] = MSISDN) -> ExchangedCustomer:
        """Return the phone number behind a check-in's customer token.

        Example:
            >>> found = await client.qr.exchange_customer(event.customer_token)
        """
        return await self._core.run(calls.exchange_customer(customer_token, requested_data))
