"""The names of the POS's points of sale (tills, vending machines, trust shops) as their paths carry them.

A name becomes part of payment references, QR ids, redirect URLs and rows of the POS's own tables, and a
trust shop's pages are open to anyone, so it is held to a short, plain shape before any route runs: one to
30 ASCII letters, digits, `-` or `_` (`till-1`, `7`, `honesty-1`). Anything else names no point: 404.
"""

from __future__ import annotations

import re

# the routes whose first path parameter is a point's name: /pos/till/{terminal}, /pos/api/vending/{machine}/...
POINT_PATH = re.compile(r"/pos/(?:api/)?(?:terminals|till|display|vending|shop)/([^/]*)")
POINT_NAME = re.compile(r"[A-Za-z0-9_-]{1,30}")
RULE = "a till, machine or shop is named by 1 to 30 letters, digits, '-' or '_'"


def malformed_point(path: str) -> bool:
    """Whether `path` names a point of sale in a shape no point can have."""
    found = POINT_PATH.match(path)
    return found is not None and POINT_NAME.fullmatch(found[1]) is None
