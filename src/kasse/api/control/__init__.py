"""kasse's own control plane under /_kasse: test-only routes, never mounted in production mode."""

from kasse.api.operations import Api

KASSE_CONTROL = Api("kasse control (test only)", "kasse's own test controls under /_kasse: sales units, test users "
                                                 "and their wallets, the clock, faults and webhook deliveries. Not "
                                                 "served in production mode.")
