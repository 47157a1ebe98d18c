"""Identifiers from the operating system's randomness, drawn from a buffered pool.

`os.urandom` costs a system call (about 16 µs on small VMs); reading 64 KiB at a time makes an id
cost a slice. The pool is the same CSPRNG output, so tokens stay unguessable.
"""

from __future__ import annotations

import base64
import os
import threading
import uuid

_POOL = 1 << 16


class RandomIds:
    def __init__(self) -> None:
        self._pool = b""
        self._pos = 0
        self._lock = threading.Lock()

    def _bytes(self, n: int) -> bytes:
        with self._lock:
            if self._pos + n > len(self._pool):
                self._pool, self._pos = os.urandom(_POOL), 0
            start = self._pos
            self._pos += n
            return self._pool[start : start + n]

    def psp_reference(self) -> str:
        return str(uuid.UUID(bytes=self._bytes(16), version=4))

    def token(self) -> str:
        return base64.urlsafe_b64encode(self._bytes(32)).rstrip(b"=").decode("ascii")
