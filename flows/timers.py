"""The timer loop: a long-lived flow run that fires timers as they fall due.

A scheduled deployment (`flows.serve`) starts one every few minutes; each run sweeps for
`max_seconds`, sleeping until the next due time in between (see `flows.loop`), so a timer fires
about a poll interval after it is due, not whenever a flow run happens to start. Several runs may
overlap, on one worker or several: `fire_due_timers` claims each timer in its own transaction.
"""

from __future__ import annotations

from collections import Counter

from prefect import flow

from channelops.bootstrap import build_services
from flows.loop import parent_gone, run_loop
from workflows.services.calendar_entries import refresh_calendar_if_changed
from workflows.services.timers import fire_due_timers, next_timer_due


@flow(name="run-timer-loop", log_prints=False)
def run_timer_loop(max_seconds: float = 300.0, poll_seconds: float = 1.0) -> dict[str, int]:
    """Fire due timers for `max_seconds`; returns how many fired, were cancelled and failed."""
    svc = build_services()
    totals: Counter[str] = Counter()

    def sweep() -> int:
        refresh_calendar_if_changed(svc)  # company days changed by another process
        result = fire_due_timers(svc)
        totals.update(fired=result.fired, cancelled=result.cancelled, failed=result.failed)
        return result.fired + result.cancelled + result.failed

    try:
        stats = run_loop(sweep=sweep, next_due=lambda: next_timer_due(svc), now=svc.clock.now,
                         max_seconds=max_seconds, poll_seconds=poll_seconds, stop=parent_gone())
    finally:
        svc.engine.dispose()
    return {"passes": stats.passes, "errors": stats.errors, **totals}
