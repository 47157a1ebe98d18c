"""Identifiers a test can predict."""

from __future__ import annotations


class SequentialIds:
    """Predictable, never repeating identifiers: `psp-000001`, `tok-000002`, …"""

    def __init__(self) -> None:
        self.issued = 0

    def _next(self, prefix: str) -> str:
        self.issued += 1
        return f"{prefix}-{self.issued:06d}"

    def psp_reference(self) -> str:
        return self._next("psp")

    def token(self) -> str:
        return self._next("tok")
