"""What a commit wrote, named as topics, so a loop or a live page wakes only for the commits it waits for.

The SQL repositories name the topics of their writes, the database hands them to the commit signal after
COMMIT, and each waiter subscribes to its own: the webhook delivery loop to `DELIVERIES` and `CLOCK`, the
wallet's behaviour loop to `WALLET` and `CLOCK`, the event stream to `EVENTS`. A create writes `PAYMENTS`
and `EVENTS` only (and `DELIVERIES` when a webhook is registered), so under create load the loops sleep.
"""

from __future__ import annotations

PAYMENTS = "payments"  # a payment was created or changed
EVENTS = "events"  # the event log grew
DELIVERIES = "deliveries"  # webhook deliveries were queued or became due again
WALLET = "wallet"  # a payment request arrived in a wallet or was answered
CLOCK = "clock"  # the test clock moved: whatever waits on time looks again
FAULTS = "faults"  # test faults were armed, used up or disarmed
TOPICS = frozenset({PAYMENTS, EVENTS, DELIVERIES, WALLET, CLOCK, FAULTS})
