"""The timer loop: a long-lived flow run that fires timers as they fall due.

A scheduled deployment (`flows.serve`) starts one every few minutes; each run sweeps for
`max_seconds`, sleeping until the next due time in between (see `flows.loop`), so a timer fires
about a poll interval after it is due, not whenever a flow run happens to start. Several runs may
overlap, on one worker or several: `fire_due_timers` claims each timer in its own transaction.
"""

from __future__ import annotations

from prefect import flow

from flows.sweeps import sweep_until_deadline
from workflows.services.context import Services
from workflows.services.timers import fire_due_timers, next_timer_due


def fire_timers(svc: Services) -> dict[str, int]:
    """One sweep of the due timers, counted by outcome."""
    result = fire_due_timers(svc)
    return {"fired": result.fired, "cancelled": result.cancelled, "failed": result.failed}


@flow(name="run-timer-loop", log_prints=False)
def run_timer_loop(max_seconds: float = 300.0, poll_seconds: float = 1.0) -> dict[str, int]:
    """Fire due timers for `max_seconds`; returns how many fired, were cancelled and failed."""
    return sweep_until_deadline(sweep=fire_timers, next_due=next_timer_due, max_seconds=max_seconds,
                                poll_seconds=poll_seconds)
