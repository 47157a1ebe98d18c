"""kasse: a self-hostable in-person mobile payment platform."""

__version__ = "0.1.0"
