"""Sweep, sleep until the next due moment, sweep again, until a deadline. No Prefect here.

A timer or an outbox row fires at most about `poll_seconds` after it is due, however rarely a
flow run starts: the loop wakes at the earliest due time it knows of, and polls at least every
`poll_seconds` to see rows written meanwhile by other processes. Sweeps are safe to repeat and to
run in several loops at once (the services claim each row), so the loop needs no lock of its own.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LoopStats:
    """How many sweeps ran and how many of them raised."""

    passes: int
    errors: int


def parent_gone() -> Callable[[], bool]:
    """A stop condition that turns true once the process that started this one has ended.

    A flow run whose worker was killed has nobody left to cancel it or to renew its concurrency
    slot, and the worker that replaces it starts loops of its own: the orphan stops after its
    current sweep instead of running on to its deadline.
    """
    parent = os.getppid()
    return lambda: os.getppid() != parent


def seconds_to_sleep(*, now: datetime, next_due: datetime | None, poll_seconds: float) -> float:
    """The pause before the next sweep: until `next_due` if that comes sooner than a poll, never negative."""
    if next_due is None:
        return poll_seconds
    return max(0.0, min(poll_seconds, (next_due - now).total_seconds()))


def run_loop(
    *,
    sweep: Callable[[], int],
    next_due: Callable[[], datetime | None],
    now: Callable[[], datetime],
    max_seconds: float,
    poll_seconds: float = 1.0,
    error_pause: float = 5.0,
    sleep: Callable[[float], None] = time.sleep,
    monotonic: Callable[[], float] = time.monotonic,
    stop: Callable[[], bool] = lambda: False,
) -> LoopStats:
    """Call `sweep` (it returns how many rows it handled) until `max_seconds` have passed or `stop()`.

    Between sweeps it sleeps until `next_due()` (the earliest pending due time, or None), at most
    `poll_seconds`. A due time already past means more work is waiting (a sweep stops at its row
    limit), so the next sweep follows at once, unless the last one handled nothing: then the rows
    are held by another worker and the loop waits a poll rather than spin. A sweep that raises
    (the database is away, say) is logged and retried after `error_pause`; the loop goes on.
    """
    deadline = monotonic() + max_seconds
    passes = errors = 0
    while True:
        try:
            handled = sweep()
            due = next_due()
        except Exception:
            log.exception("sweep failed; trying again in %.0f s", error_pause)
            errors += 1
            pause = error_pause
        else:
            passes += 1
            pause = seconds_to_sleep(now=now(), next_due=due, poll_seconds=poll_seconds)
            if pause == 0 and handled == 0:
                pause = poll_seconds
        remaining = deadline - monotonic()
        if remaining <= 0 or stop():
            return LoopStats(passes=passes, errors=errors)
        sleep(min(pause, remaining))
