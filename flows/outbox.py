"""The outbox loop: a long-lived flow run that delivers notifications as they fall due.

Like the timer loop (`flows.timers`): each run delivers for `max_seconds`, sleeping until the
next pending row's attempt time in between, so a notification leaves about a poll interval after
it was written or its backoff ended. `dispatch_outbox` claims and leases each row, so overlapping
runs on several workers split the rows and never send one twice on purpose (delivery is at least
once: see `workflows.services.outbox`).
"""

from __future__ import annotations

from collections.abc import Callable

from prefect import flow

from flows.sweeps import sweep_until_deadline
from workflows.adapters.notifier import AppriseNotifier, Notifier
from workflows.services import outbox
from workflows.services.context import Services
from workflows.services.outbox import next_delivery_due


def deliver_with(notifier: Notifier) -> Callable[[Services], dict[str, int]]:
    """One pass over the due notifications through `notifier`, counted by outcome."""

    def deliver(svc: Services) -> dict[str, int]:
        result = outbox.dispatch_outbox(svc, notifier=notifier)
        return {"sent": result.sent, "retried": result.retried, "dead": result.dead}

    return deliver


@flow(name="dispatch-outbox", log_prints=False)
def dispatch_outbox(max_seconds: float = 0.0, poll_seconds: float = 1.0) -> dict[str, int]:
    """Deliver due notifications for `max_seconds` (0: one pass); returns how many were sent, retried, dead."""
    return sweep_until_deadline(sweep=deliver_with(AppriseNotifier()), next_due=next_delivery_due,
                                max_seconds=max_seconds, poll_seconds=poll_seconds)
