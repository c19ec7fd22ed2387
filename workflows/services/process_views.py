"""What the process analytics report hands back (see `process.process_report`)."""

from __future__ import annotations

from datetime import date, datetime

from workflows.services.views import View


class StateTime(View):
    """Time instances of the cohort spent in a state, per visit that ended, in working hours."""

    state: str
    title_zh: str
    title_en: str
    final: bool
    visits: int
    p50_hours: float | None
    p90_hours: float | None
    total_hours: float
    waiting_now: int  # active instances in this state now (any start date)
    longest_wait_hours: float | None  # working hours the one waiting longest has waited so far


class TransitionUse(View):
    source: str
    trigger: str
    dest: str
    title_zh: str
    title_en: str
    count: int
    rework: int  # of `count`, how many led the instance back into a state it had been in before


class WeekFigures(View):
    week: date  # the Monday the week starts on (local date)
    started: int
    completed: int
    backlog: int  # instances open at the week's end (at the report's moment for the current week)


class ProcessReport(View):
    workflow: str
    version: int | None  # None: every version together
    title_zh: str
    title_en: str
    start: datetime  # the cohort: instances started in [start, end)
    end: datetime
    instances: int
    completed: int
    cycle_p50_hours: float | None  # start to close, working hours, of the cohort's completed instances
    cycle_p90_hours: float | None
    outcomes: dict[str, int]  # final state -> completed instances of the cohort ending there
    rework_instances: int  # instances that went back into a state they had been in
    states: list[StateTime]  # definition order, then states only older versions had
    transitions: list[TransitionUse]  # most used first
    slowest: list[str]  # up to 5 non-final states with visits, longest p90 first
    weekly: list[WeekFigures]  # oldest first; the last week is the current one
