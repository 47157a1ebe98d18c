"""QR images with segno: SVG scaled to fit, PNG at an exact pixel size."""

from __future__ import annotations

import io

import segno
from PIL import Image

BORDER = 4  # the quiet zone the QR standard asks for, in modules


class SegnoQrRenderer:
    def svg(self, content: str, size: int | None = None) -> bytes:
        qr = segno.make(content, error="m", micro=False)
        buffer = io.BytesIO()
        width = qr.symbol_size(border=BORDER)[0]
        scale = max(1, (size or 400) // width)
        qr.save(buffer, kind="svg", scale=scale, border=BORDER, xmldecl=False, svgns=True)
        return buffer.getvalue()

    def png(self, content: str, size: int = 1024) -> bytes:
        qr = segno.make(content, error="m", micro=False)
        width = qr.symbol_size(border=BORDER)[0]
        scale = max(1, size // width)
        raw = io.BytesIO()
        qr.save(raw, kind="png", scale=scale, border=BORDER)
        image = Image.open(io.BytesIO(raw.getvalue())).convert("L")
        if image.size[0] != size:
            # centre on white so the image is exactly size × size and modules stay crisp
            canvas = Image.new("L", (size, size), 255)
            offset = (size - image.size[0]) // 2
            canvas.paste(image, (offset, offset))
            image = canvas
        out = io.BytesIO()
        image.save(out, format="PNG", optimize=False)
        return out.getvalue()
