"""The outbox loop: a long-lived flow run that delivers notifications as they fall due.

Like the timer loop (`flows.timers`): each run delivers for `max_seconds`, sleeping until the
next pending row's attempt time in between, so a notification leaves about a poll interval after
it was written or its backoff ended. `dispatch_outbox` claims and leases each row, so overlapping
runs on several workers split the rows and never send one twice on purpose (delivery is at least
once: see `workflows.services.outbox`).
"""

from __future__ import annotations

from collections import Counter

from prefect import flow

from channelops.bootstrap import build_services
from flows.loop import parent_gone, run_loop
from workflows.adapters.notifier import AppriseNotifier
from workflows.services import outbox
from workflows.services.calendar_entries import refresh_calendar_if_changed
from workflows.services.outbox import next_delivery_due


@flow(name="dispatch-outbox", log_prints=False)
def dispatch_outbox(max_seconds: float = 0.0, poll_seconds: float = 1.0) -> dict[str, int]:
    """Deliver due notifications for `max_seconds` (0: one pass); returns how many were sent, retried, dead."""
    svc = build_services()
    notifier = AppriseNotifier()
    totals: Counter[str] = Counter()

    def sweep() -> int:
        refresh_calendar_if_changed(svc)  # company days changed by another process
        result = outbox.dispatch_outbox(svc, notifier=notifier)
        totals.update(sent=result.sent, retried=result.retried, dead=result.dead)
        return result.sent + result.retried + result.dead

    try:
        stats = run_loop(sweep=sweep, next_due=lambda: next_delivery_due(svc), now=svc.clock.now,
                         max_seconds=max_seconds, poll_seconds=poll_seconds, stop=parent_gone())
    finally:
        svc.engine.dispose()
    return {"passes": stats.passes, "errors": stats.errors, **totals}
