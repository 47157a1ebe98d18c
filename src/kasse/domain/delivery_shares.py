"""Fair shares of the webhook send slots: one sales unit's dead receivers cannot take every slot (issue #12 item 6).

A send to a receiver that never answers holds its slot for the sender's whole timeout, so a unit with many
such deliveries would otherwise take every slot and starve the rest. Each sales unit with work (deliveries
in flight or due) may hold at most an equal share of the slots left after a reserve; the reserve stays
free for a unit with nothing in flight yet, so its first delivery goes out at once however long the
others' receivers take. Free slots are dealt round-robin between units, each unit's deliveries in due order.
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Mapping, Sequence

RESERVE_EIGHTHS = 1  # of the slots, kept free for units with nothing in flight


def share(capacity: int, units: int) -> int:
    """Return how many of `capacity` slots one sales unit may hold while `units` units have work."""
    usable = capacity - capacity * RESERVE_EIGHTHS // 8
    return max(1, usable // max(units, 1))


def deal(due: Sequence[tuple[int, str]], in_flight: Mapping[str, int], capacity: int, free: int) -> list[int]:
    """Choose which due deliveries (id, sales unit) to start in `free` slots, round-robin, each unit within its share.

    `due` is in due order; `in_flight` counts each unit's sends already under way.
    """
    held = Counter(in_flight)
    limit = share(capacity, len(set(held) | {msn for _, msn in due}))
    queues: dict[str, deque[int]] = {}
    for delivery_id, msn in due:
        queues.setdefault(msn, deque()).append(delivery_id)
    chosen: list[int] = []
    while queues and len(chosen) < free:
        for msn in list(queues):
            queue = queues[msn]
            if len(chosen) >= free:
                break
            if held[msn] >= limit or not queue:
                del queues[msn]
                continue
            chosen.append(queue.popleft())
            held[msn] += 1
    return chosen


def full_units(in_flight: Mapping[str, int], capacity: int, units: int) -> set[str]:
    """Return the sales units that hold their whole share already (no point looking for their due work)."""
    limit = share(capacity, units)
    return {msn for msn, n in in_flight.items() if n >= limit}
