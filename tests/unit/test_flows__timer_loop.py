"""The long-lived loop behind the timer and outbox flows, on a fake clock: when it sweeps and sleeps."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from flows.loop import LoopStats, parent_gone, run_loop

START = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)


class FakeTime:
    """A wall clock and a monotonic clock that move only when the loop sleeps."""

    def __init__(self) -> None:
        self.elapsed = 0.0
        self.sleeps: list[float] = []

    def now(self) -> datetime:
        return START + timedelta(seconds=self.elapsed)

    def monotonic(self) -> float:
        return self.elapsed

    def sleep(self, seconds: float) -> None:
        assert seconds >= 0
        self.sleeps.append(round(seconds, 6))
        self.elapsed += seconds


class FakeTimers:
    """Timers due at given offsets; a sweep fires the due ones and records how late each was."""

    def __init__(self, clock: FakeTime, *offsets: float) -> None:
        self.clock = clock
        self.pending = sorted(START + timedelta(seconds=o) for o in offsets)
        self.lateness: list[float] = []

    def sweep(self) -> int:
        now = self.clock.now()
        due = [d for d in self.pending if d <= now]
        self.pending = [d for d in self.pending if d > now]
        self.lateness += [(now - d).total_seconds() for d in due]
        return len(due)

    def next_due(self) -> datetime | None:
        return self.pending[0] if self.pending else None


def loop(clock: FakeTime, timers: FakeTimers, **options: Any) -> LoopStats:
    return run_loop(sweep=timers.sweep, next_due=timers.next_due, now=clock.now, sleep=clock.sleep,
                    monotonic=clock.monotonic, **options)


@pytest.fixture
def clock() -> FakeTime:
    return FakeTime()


def test_sleeps_until_the_next_due_time_when_it_comes_before_the_next_poll(clock: FakeTime) -> None:
    timers = FakeTimers(clock, 0.25, 0.6)
    loop(clock, timers, max_seconds=0.6, poll_seconds=1.0)
    assert clock.sleeps == [0.25, 0.35]
    assert timers.lateness == [0.0, 0.0]


def test_fires_each_timer_on_time_however_rarely_it_is_polled(clock: FakeTime) -> None:
    timers = FakeTimers(clock, 3.7, 12.2, 12.2, 40.05)
    loop(clock, timers, max_seconds=60, poll_seconds=5.0)
    assert timers.lateness == [0.0, 0.0, 0.0, 0.0]


def test_caps_each_sleep_at_the_poll_interval(clock: FakeTime) -> None:
    timers = FakeTimers(clock, 2.5)
    loop(clock, timers, max_seconds=3, poll_seconds=1.0)
    assert clock.sleeps == [1.0, 1.0, 0.5, 0.5]


def test_polls_when_nothing_is_scheduled(clock: FakeTime) -> None:
    loop(clock, FakeTimers(clock), max_seconds=3, poll_seconds=1.0)
    assert clock.sleeps == [1.0, 1.0, 1.0]


def test_stops_at_max_seconds_after_a_last_sweep(clock: FakeTime) -> None:
    stats = loop(clock, FakeTimers(clock), max_seconds=3.5, poll_seconds=1.0)
    assert clock.sleeps == [1.0, 1.0, 1.0, 0.5]
    assert (clock.elapsed, stats) == (3.5, LoopStats(passes=5, errors=0))


def test_zero_max_seconds_is_one_sweep(clock: FakeTime) -> None:
    timers = FakeTimers(clock, 0.0, 1.0)
    stats = loop(clock, timers, max_seconds=0)
    assert (stats.passes, clock.sleeps, timers.lateness) == (1, [], [0.0])


def test_sweeps_again_at_once_when_due_rows_are_left_after_a_sweep(clock: FakeTime) -> None:
    backlog = [3, 0]  # a sweep stops at its row limit: 3 handled, then the rest

    def sweep() -> int:
        return backlog.pop(0) if backlog else 0

    run_loop(sweep=sweep, next_due=lambda: START if backlog else None, now=clock.now, sleep=clock.sleep,
             monotonic=clock.monotonic, max_seconds=2, poll_seconds=1.0)
    assert clock.sleeps[0] == 0.0


def test_waits_a_poll_when_due_rows_are_held_by_another_worker(clock: FakeTime) -> None:
    run_loop(sweep=lambda: 0, next_due=lambda: START, now=clock.now, sleep=clock.sleep,
             monotonic=clock.monotonic, max_seconds=2, poll_seconds=1.0)
    assert clock.sleeps == [1.0, 1.0]


def test_a_failing_sweep_is_logged_and_tried_again_after_a_pause(
    clock: FakeTime, caplog: pytest.LogCaptureFixture
) -> None:
    outcomes: list[Callable[[], int]] = [lambda: 1 // 0, lambda: 1]

    def sweep() -> int:
        return outcomes.pop(0)() if outcomes else 0

    stats = run_loop(sweep=sweep, next_due=lambda: None, now=clock.now, sleep=clock.sleep,
                     monotonic=clock.monotonic, max_seconds=6, poll_seconds=1.0, error_pause=5.0)
    assert clock.sleeps == [5.0, 1.0]
    assert stats == LoopStats(passes=2, errors=1)
    assert "sweep failed" in caplog.text


def test_stop_ends_the_loop_after_the_current_sweep(clock: FakeTime) -> None:
    stats = run_loop(sweep=lambda: 0, next_due=lambda: None, now=clock.now, sleep=clock.sleep,
                     monotonic=clock.monotonic, max_seconds=60, stop=lambda: clock.elapsed >= 2)
    assert (stats.passes, clock.elapsed) == (3, 2.0)


def test_an_orphaned_loop_stops_once_its_worker_is_gone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "getppid", lambda: 4242)
    gone = parent_gone()
    assert not gone()
    monkeypatch.setattr(os, "getppid", lambda: 1)  # re-parented to init: the worker has died
    assert gone()
