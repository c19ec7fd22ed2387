"""Process analytics of a workflow (and version): where instances spend their time and which way they go.

The cohort is the instances started in the report's weeks. Their history is the audit trail's
`started` and `transition` rows, read once in instance order: a visit of a state runs from the row
that entered it to the row that left it, measured in working hours (`worktime.WorkingTimeline`).
Counts per week and the current waits are aggregated in SQL. Reads never write.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
from sqlalchemy import CursorResult, case, func, select

from workflows.domain.definition import WorkflowDefinition
from workflows.domain.errors import InvalidInput, NotFound, Problem
from workflows.domain.principals import Actor
from workflows.domain.validation import expand_sources
from workflows.persistence import tables as t
from workflows.services.context import Services
from workflows.services.process_views import ProcessReport, StateTime, TransitionUse, WeekFigures
from workflows.services.report_access import require_report_reader
from workflows.services.report_sql import epoch
from workflows.services.worktime import WorkingTimeline, hours, spread

DEFAULT_WEEKS, MAX_WEEKS = 12, 52
SLOWEST_SHOWN = 5
_CHUNK = 20_000  # history rows read at a time
i, a = t.instances.c, t.audit_events.c


def process_report(svc: Services, *, actor: Actor, workflow: str, version: int | None = None,
                   weeks: int = DEFAULT_WEEKS) -> ProcessReport:
    """Time per state, cycle time, transitions taken and weekly throughput of `workflow` (one
    `version`, or all of them) over the instances started in the last `weeks` weeks (Monday to
    Sunday in the calendar's zone; the last one is the current week, up to now).

    Raises:
        InvalidInput: `weeks` is not 1..52.
        NotFound: no such workflow or version.
    """
    if not 1 <= weeks <= MAX_WEEKS:
        raise InvalidInput("the report window is not valid", [Problem("weeks", f"must be 1 to {MAX_WEEKS}")])
    require_report_reader(actor, report="process")
    now = svc.clock.now()
    mondays = _mondays(now, zone=svc.calendar.config.timezone, weeks=weeks)
    start = mondays[0]
    mine = i.workflow == workflow
    if version is not None:
        mine = mine & (i.definition_version == version)
    with svc.uow(write=False) as uow:
        definition = _definition(svc, uow.conn, workflow=workflow, version=version)
        cohort = select(i.id).where(mine, i.created_at >= start, i.created_at < now)
        # Plain driver tuples, unordered (sorted below, in numpy): a report reads ~20 rows per instance,
        # and building SQLAlchemy rows or sorting them in the database cost more than the rest.
        history = _columns(uow.conn.execute(
            select(a.instance_id, a.id, epoch(a.at, uow.dialect), a.from_state, a.to_state, a.trigger)
            .where(a.instance_id.in_(cohort.scalar_subquery()), a.action.in_(("started", "transition")),
                   a.at >= start)))  # no instance of the cohort has a row before it started
        closed = uow.conn.execute(select(
            epoch(i.created_at, uow.dialect), epoch(i.closed_at, uow.dialect), i.state).where(
            mine, i.created_at >= start, i.created_at < now, i.status == "completed")).all()
        waits = {r.state: (int(r.n), r.oldest) for r in uow.conn.execute(
            select(i.state, func.count().label("n"), func.min(i.state_entered_at).label("oldest"))
            .where(mine, i.status == "active").group_by(i.state))}
        weekly = _weekly(uow.conn, mine=mine, mondays=mondays, now=now, zone=svc.calendar.config.timezone)
    oldest = min([start, *(when for _, when in waits.values())])
    timeline = WorkingTimeline(svc.calendar, first=oldest, last=now)
    walk = _walk(history, timeline)
    cycles = [timeline.at_epoch(closed_at) - timeline.at_epoch(created_at) for created_at, closed_at, _ in closed]
    cycle_p50, cycle_p90 = spread(cycles)
    states = _states(definition, walk["visits"], waits, timeline=timeline, now=now)
    slowest = sorted((s for s in states if s.visits and not s.final), key=lambda s: -(s.p90_hours or 0))
    return ProcessReport(
        workflow=workflow, version=version, title_zh=definition.title.zh, title_en=definition.title.en,
        start=start, end=now, instances=walk["instances"], completed=len(closed), cycle_p50_hours=cycle_p50,
        cycle_p90_hours=cycle_p90, outcomes=dict(sorted(Counter(state for _, _, state in closed).items())),
        rework_instances=walk["rework_instances"], states=states,
        transitions=_transitions(definition, walk["uses"], walk["rework"]),
        slowest=[s.state for s in slowest[:SLOWEST_SHOWN]], weekly=weekly)


def _mondays(now: datetime, *, zone: str, weeks: int) -> list[datetime]:
    """The starts (UTC) of the last `weeks` weeks, oldest first; the last is this week's Monday 00:00."""
    local = now.astimezone(ZoneInfo(zone))
    monday = datetime.combine(local.date() - timedelta(days=local.weekday()), datetime.min.time(), local.tzinfo)
    return [datetime.combine(monday.date() - timedelta(weeks=weeks - 1 - n), datetime.min.time(), local.tzinfo)
            .astimezone(UTC) for n in range(weeks)]


def _definition(svc: Services, conn: Any, *, workflow: str, version: int | None) -> WorkflowDefinition:
    """The version asked for, or the latest: its states and titles label the report."""
    d = t.definitions.c
    query = select(d.id).where(d.name == workflow)
    query = query.where(d.version == version) if version is not None else query.order_by(d.version.desc()).limit(1)
    found = conn.execute(query).scalar()
    if found is None:
        raise NotFound(f"no workflow {workflow!r}" + ("" if version is None else f" version {version}"))
    return svc.compiled(conn, found).definition


@dataclass
class _History:
    """A cohort's history rows as columns: instance, row id, moment (epoch seconds), and the source,
    destination and trigger as codes into `names` and `triggers` (a start has source -1)."""

    instance: Any
    ids: Any
    moments: Any
    source: Any
    dest: Any
    trigger: Any
    names: list[str]
    triggers: list[str]


def _columns(result: CursorResult[Any], chunk: int = _CHUNK) -> _History:
    """The rows of `result` read `chunk` at a time straight into arrays, so that a busy quarter's
    ~150,000 rows never exist as Python tuples all at once (the API process's memory stays flat)."""
    codes: dict[str | None, int] = {None: -1}
    fired: dict[str, int] = {}
    parts: list[tuple[Any, ...]] = []
    try:
        while rows := result.cursor.fetchmany(chunk):  # the driver's own tuples: no SQLAlchemy row per row
            row_instances, row_ids, row_moments, sources, dests, triggers = zip(*rows, strict=True)
            parts.append((np.array(row_instances, dtype=np.int64), np.array(row_ids, dtype=np.int64),
                          np.array(row_moments, dtype=np.float64),
                          np.array([codes.setdefault(x, len(codes) - 1) for x in sources], dtype=np.int64),
                          np.array([codes.setdefault(x, len(codes) - 1) for x in dests], dtype=np.int64),
                          np.array([fired.setdefault(g or "", len(fired)) for g in triggers], dtype=np.int64)))
    finally:
        result.close()
    empty = np.zeros(0, dtype=np.int64)
    instance, ids, moments, source, dest, trigger = (
        [np.concatenate(column) for column in zip(*parts, strict=True)] if parts else [empty] * 6)
    return _History(instance=instance, ids=ids, moments=moments.astype(np.float64), source=source, dest=dest,
                    trigger=trigger, names=[name for name in codes if name is not None], triggers=list(fired))


def _walk(history: _History, timeline: WorkingTimeline) -> dict[str, Any]:
    """Visits per state (working seconds), transitions used, and re-entries, from the history rows
    in any order. Vectorised: a cohort's history is ~20 rows per instance, ~150,000 in a busy quarter.

    A visit of a state ends at a row leaving it, once the instance has entered it, and began at the
    instance's previous row; a transition is rework when its destination was entered before."""
    count = len(history.instance)
    if not count:
        return {"visits": {}, "uses": Counter(), "rework": Counter(), "rework_instances": 0, "instances": 0}
    names, triggers = history.names, history.triggers
    order = np.lexsort((history.ids, history.instance))
    instance = history.instance[order]
    moment = timeline.at_epochs(history.moments[order])
    source, dest, trigger = history.source[order], history.dest[order], history.trigger[order]
    same = np.zeros(count, dtype=bool)
    same[1:] = instance[1:] == instance[:-1]
    moved = source >= 0
    # A row leaves a state entered before in its instance: the visit ran since the instance's previous row.
    states = len(names)
    entries, first_entry = np.unique(instance * states + dest, return_index=True)
    left = instance * states + np.maximum(source, 0)
    found = np.minimum(np.searchsorted(entries, left), len(entries) - 1)
    stayed = moved & same & (entries[found] == left) & (first_entry[found] < np.arange(count))
    spans = np.zeros(count)
    spans[1:] = moment[1:] - moment[:-1]
    visits = {names[c]: spans[stayed & (source == c)].tolist() for c in np.unique(source[stayed]).tolist()}
    # Rework: among an instance's rows with the same destination, in row order, all but the first.
    by_dest = np.lexsort((np.arange(count), dest, instance))
    again = np.zeros(count, dtype=bool)
    again[by_dest[1:]] = (instance[by_dest[1:]] == instance[by_dest[:-1]]) & (dest[by_dest[1:]] == dest[by_dest[:-1]])
    again &= moved

    def counted(mask: Any) -> Counter[tuple[str, str, str]]:
        states, kinds = len(names), len(triggers)
        keys, times = np.unique((source[mask] * kinds + trigger[mask]) * states + dest[mask], return_counts=True)
        return Counter({(names[k // states // kinds], triggers[k // states % kinds], names[k % states]): int(n)
                        for k, n in zip(keys.tolist(), times.tolist(), strict=True)})

    return {"visits": visits, "uses": counted(moved), "rework": counted(again),
            "rework_instances": int(np.unique(instance[again]).size), "instances": int(np.count_nonzero(~same))}


def _states(definition: WorkflowDefinition, visits: Mapping[str, list[float]],
            waits: Mapping[str, tuple[int, datetime]], *, timeline: WorkingTimeline, now: datetime
            ) -> list[StateTime]:
    known = {s.name: s for s in definition.states}
    names = [*known, *sorted((set(visits) | set(waits)) - set(known))]
    found = []
    for name in names:
        spans = list(visits.get(name, []))
        p50, p90 = spread(spans)
        waiting, oldest = waits.get(name, (0, None))
        state = known.get(name)
        title = state.title if state is not None and state.title else None
        found.append(StateTime(
            state=name, title_zh=title.zh if title else name, title_en=title.en if title else name,
            final=bool(state and state.final), visits=len(spans), p50_hours=p50, p90_hours=p90,
            total_hours=hours(sum(spans)) or 0.0, waiting_now=waiting,
            longest_wait_hours=hours(timeline.between(oldest, now)) if oldest is not None else None))
    return found


def _transitions(definition: WorkflowDefinition, uses: Counter[tuple[str, str, str]],
                 rework: Counter[tuple[str, str, str]]) -> list[TransitionUse]:
    """Every transition of the definition (unused ones with 0), then ones only older versions had."""
    keys: dict[tuple[str, str, str], tuple[str, str]] = {}
    for transition in definition.transitions:
        title = transition.title
        for source in expand_sources(definition, transition.source):
            keys[(source, transition.trigger, transition.dest)] = (
                title.zh if title else transition.trigger, title.en if title else transition.trigger)
    for key in uses:
        keys.setdefault(key, (key[1], key[1]))
    found = [TransitionUse(source=s, trigger=g, dest=d, title_zh=zh, title_en=en, count=uses[(s, g, d)],
                           rework=rework[(s, g, d)]) for (s, g, d), (zh, en) in keys.items()]
    return sorted(found, key=lambda x: -x.count)


def _weekly(conn: Any, *, mine: Any, mondays: list[datetime], now: datetime, zone: str) -> list[WeekFigures]:
    """Started and completed per week (two grouped queries) and the backlog at each week's end."""
    start = mondays[0]

    def per_week(column: Any) -> dict[int, int]:
        bucket = case(*((column < m, n) for n, m in enumerate(mondays[1:])), else_=len(mondays) - 1)
        return {int(r.bucket): int(r.n) for r in conn.execute(
            select(bucket.label("bucket"), func.count().label("n"))
            .where(mine, column >= start, column < now).group_by(bucket))}

    started, completed = per_week(i.created_at), per_week(i.closed_at)
    backlog = int(conn.execute(select(func.count()).where(
        mine, i.created_at < start, (i.closed_at.is_(None)) | (i.closed_at >= start))).scalar_one())
    weeks = []
    for n, monday in enumerate(mondays):
        backlog += started.get(n, 0) - completed.get(n, 0)
        weeks.append(WeekFigures(week=monday.astimezone(ZoneInfo(zone)).date(), started=started.get(n, 0),
                                 completed=completed.get(n, 0), backlog=backlog))
    return weeks

