"""The simulated customer wallet: a small phone-style web app over the wallet use cases.

`install` adds its routes, static files and live updates to the API application; `run_behaviours`
is its background loop, started with the other loops.
"""

from kasse.wallet.live import install, run_behaviours

__all__ = ["install", "run_behaviours"]
