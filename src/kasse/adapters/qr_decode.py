"""Reading QR codes out of uploaded images with zxing-cpp; the wallet's image scanner."""

from __future__ import annotations

import io

import zxingcpp
from PIL import Image, UnidentifiedImageError

MAX_IMAGE_BYTES = 8 * 1024 * 1024
MAX_PIXELS = 40_000_000  # refuse decompression bombs before decoding


class UnreadableImageError(ValueError):
    """The upload is no image, or holds no QR code."""


class ZxingQrReader:
    def read(self, data: bytes) -> list[str]:
        """Return the text of every QR code in the image, in the order zxing finds them."""
        if not data or len(data) > MAX_IMAGE_BYTES:
            raise UnreadableImageError("the image is empty or larger than 8 MB")
        try:
            with Image.open(io.BytesIO(data)) as image:
                if image.width * image.height > MAX_PIXELS:
                    raise UnreadableImageError("the image is too large")
                found = zxingcpp.read_barcodes(image.convert("L"))
        except (UnidentifiedImageError, OSError) as exc:
            raise UnreadableImageError("not an image kasse can read") from exc
        texts = [b.text for b in found if b.valid and b.text and b.format == zxingcpp.BarcodeFormat.QRCode]
        if not texts:
            raise UnreadableImageError("no QR code found in the image")
        return texts
