"""Identifiers from the operating system's randomness."""

from __future__ import annotations

import secrets
import uuid


class RandomIds:
    def psp_reference(self) -> str:
        return str(uuid.uuid4())

    def token(self) -> str:
        return secrets.token_urlsafe(32)
