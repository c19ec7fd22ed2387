"""The body both loop flows share: services for the run, a sweep loop until the deadline, the totals.

`flows.timers` and `flows.outbox` differ only in what one sweep does and where the next due time
comes from; everything around that (the company calendar kept fresh, the loop, the parent check,
the engine disposed at the end, the totals) is here, once.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from datetime import datetime

from channelops.bootstrap import build_services
from flows.loop import parent_gone, run_loop
from workflows.services.calendar_entries import refresh_calendar_if_changed
from workflows.services.context import Services


def sweep_until_deadline(
    *,
    sweep: Callable[[Services], Mapping[str, int]],
    next_due: Callable[[Services], datetime | None],
    max_seconds: float,
    poll_seconds: float,
) -> dict[str, int]:
    """Run `sweep` (it returns its counts by outcome) in `flows.loop.run_loop` for `max_seconds`.

    Returns how many sweeps ran (`passes`), how many raised (`errors`), and each outcome's total
    over the run.
    """
    svc = build_services()
    totals: Counter[str] = Counter()

    def once() -> int:
        refresh_calendar_if_changed(svc)  # company days changed by another process
        counts = sweep(svc)
        totals.update(counts)
        return sum(counts.values())

    try:
        stats = run_loop(sweep=once, next_due=lambda: next_due(svc), now=svc.clock.now,
                         max_seconds=max_seconds, poll_seconds=poll_seconds, stop=parent_gone())
    finally:
        svc.engine.dispose()
    return {"passes": stats.passes, "errors": stats.errors, **totals}
