"""Adapters: the only modules that import drivers (SQL, HTTP, QR, JWT)."""
