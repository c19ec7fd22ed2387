"""Reading the channel pack: the channel page, lists for the API, and reads for meeting agendas.

The functions taking a `uow` read inside the caller's (read-only or write) unit of work and
never write; they are what the meeting agendas use:

- `alarms_between(uow, start, end)`: alarms raised in [start, end), newest first.
- `five_star_channels(uow, period)`: the channels rated five stars for month `period` (YYYY-MM).
- `open_lifecycle_suggestions(uow)`: suggestions whose committee approval task is still open.
- `channel_summaries(uow, ids)`: id -> a short `ChannelSummary` (code, name, stage, stars, card).
- `card_changes_between(uow, start, end)`: card changes (audit rows) in [start, end), oldest first.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.sql import ColumnElement

from channels import periods
from channels import tables as ct
from channels.rows import channel_row
from channels.rules.cards import quarter_results
from channels.views import (
    AlarmView,
    ChannelDetail,
    ChannelSummary,
    ChannelView,
    KpiView,
    QuarterView,
    ReportFlagView,
    StarView,
    SuggestionView,
)
from workflows.domain.errors import InvalidInput, Problem
from workflows.domain.rows import Instance
from workflows.persistence import tables as t
from workflows.persistence.uow import UnitOfWork
from workflows.services.context import Services
from workflows.services.steps import summary

HISTORY_MONTHS = 24


def alarms_between(uow: UnitOfWork, start: datetime, end: datetime) -> list[AlarmView]:
    a = ct.channel_alarms.c
    rows = uow.conn.execute(select(ct.channel_alarms).where(a.raised_at >= start, a.raised_at < end)
                            .order_by(a.raised_at.desc(), a.id.desc())).mappings()
    return [AlarmView.model_validate(dict(r)) for r in rows]


def five_star_channels(uow: UnitOfWork, period: str) -> list[ChannelSummary]:
    s, c = ct.star_ratings.c, ct.channels.c
    rows = uow.conn.execute(select(ct.channels).join(ct.star_ratings, s.channel_id == c.id)
                            .where(s.period == period, s.stars == 5).order_by(s.score.desc(), c.code)).mappings()
    return [ChannelSummary.model_validate(dict(r)) for r in rows]


def open_lifecycle_suggestions(uow: UnitOfWork) -> list[SuggestionView]:
    s, k = ct.lifecycle_suggestions.c, t.tasks.c
    open_task = select(k.id).where(k.status == "open")
    rows = uow.conn.execute(select(ct.lifecycle_suggestions).where(
        s.status == "open", or_(s.task_id.is_(None), s.task_id.in_(open_task))).order_by(s.id)).mappings()
    return [SuggestionView.model_validate(dict(r)) for r in rows]


def channel_summaries(uow: UnitOfWork, ids: Iterable[int]) -> dict[int, ChannelSummary]:
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    rows = uow.conn.execute(select(ct.channels).where(ct.channels.c.id.in_(wanted))).mappings()
    return {int(r["id"]): ChannelSummary.model_validate(dict(r)) for r in rows}


def card_changes_between(uow: UnitOfWork, start: datetime, end: datetime) -> list[dict[str, Any]]:
    e = t.audit_events.c
    rows = uow.conn.execute(select(e.entity_id, e.from_state, e.to_state, e.at, e.instance_id).where(
        e.entity_type == "channel", e.action == "card_changed", e.at >= start, e.at < end).order_by(e.id))
    return [{"channel_id": int(r.entity_id), "from": r.from_state, "to": r.to_state, "at": r.at,
             "instance_id": r.instance_id} for r in rows]


def _kpi(row: dict[str, Any]) -> KpiView:
    target = row["sales_target"]
    return KpiView.model_validate({**row, "attainment": round(row["sales_actual"] / target * 100, 2)
                                   if target else 0.0})


def get_channel(svc: Services, *, channel_id: int) -> ChannelDetail:
    """A channel with its last 24 months of KPIs, quarters, stars, alarms, suggestions and instances."""
    with svc.uow(write=False) as uow:
        row = channel_row(uow, channel_id)
        k, s, a, f, g = (ct.kpi_records.c, ct.star_ratings.c, ct.channel_alarms.c, ct.kpi_report_flags.c,
                         ct.lifecycle_suggestions.c)
        kpis = uow.conn.execute(select(ct.kpi_records).where(k.channel_id == channel_id)
                                .order_by(k.period.desc()).limit(HISTORY_MONTHS)).mappings().all()
        stars = uow.conn.execute(select(ct.star_ratings).where(s.channel_id == channel_id)
                                 .order_by(s.period.desc()).limit(HISTORY_MONTHS)).mappings().all()
        alarms = uow.conn.execute(select(ct.channel_alarms).where(a.channel_id == channel_id)
                                  .order_by(a.id.desc()).limit(50)).mappings().all()
        flags = uow.conn.execute(select(ct.kpi_report_flags).where(f.channel_id == channel_id)
                                 .order_by(f.period.desc())).mappings().all()
        suggestions = uow.conn.execute(select(ct.lifecycle_suggestions).where(g.channel_id == channel_id)
                                       .order_by(g.id.desc())).mappings().all()
        i = t.instances.c
        instances = uow.conn.execute(select(t.instances).where(
            i.subject_type == "channel", i.subject_id.in_([str(channel_id), row["code"]])).order_by(i.id)
        ).mappings().all()
        quarters = quarter_results(uow, channel_id)
    return ChannelDetail(
        channel=ChannelView.model_validate(row), kpis=[_kpi(dict(r)) for r in reversed(kpis)],
        quarters=[QuarterView.model_validate(q) for q in quarters],
        stars=[StarView.model_validate(dict(r)) for r in reversed(stars)],
        alarms=[AlarmView.model_validate(dict(r)) for r in alarms],
        suggestions=[SuggestionView.model_validate(dict(r)) for r in suggestions],
        report_flags=[ReportFlagView.model_validate(dict(r)) for r in flags],
        instances=[summary(Instance.from_row(r)) for r in instances])


def _check_month(period: str | None, name: str = "period") -> None:
    if period is not None and not periods.is_month(period):
        raise InvalidInput("bad period", [Problem(name, "expected a month YYYY-MM")])


def list_alarms(svc: Services, *, period: str | None = None, region: str | None = None, scope: str | None = None,
                limit: int = 100, offset: int = 0) -> list[AlarmView]:
    _check_month(period)
    a = ct.channel_alarms.c
    conditions: list[ColumnElement[bool]] = [col == v for col, v in ((a.period, period), (a.region, region),
                                                                       (a.scope, scope)) if v is not None]
    with svc.uow(write=False) as uow:
        rows = uow.conn.execute(select(ct.channel_alarms).where(*conditions).order_by(a.id.desc())
                                .limit(limit).offset(offset)).mappings().all()
    return [AlarmView.model_validate(dict(r)) for r in rows]


def list_stars(svc: Services, *, period: str, stars: int | None = None) -> list[StarView]:
    """The ratings of month `period`, best first; `stars=5` is the month's five-star list."""
    _check_month(period)
    s = ct.star_ratings.c
    query = select(ct.star_ratings).where(s.period == period)
    if stars is not None:
        query = query.where(s.stars == stars)
    with svc.uow(write=False) as uow:
        rows = uow.conn.execute(query.order_by(s.score.desc(), s.channel_id)).mappings().all()
    return [StarView.model_validate(dict(r)) for r in rows]


def list_suggestions(svc: Services, *, status: str | None = None) -> list[SuggestionView]:
    s = ct.lifecycle_suggestions.c
    with svc.uow(write=False) as uow:
        if status == "open":
            return open_lifecycle_suggestions(uow)
        query = select(ct.lifecycle_suggestions).order_by(s.id.desc())
        if status is not None:
            query = query.where(s.status == status)
        return [SuggestionView.model_validate(dict(r)) for r in uow.conn.execute(query).mappings()]


def report_flags(svc: Services, *, period: str | None = None) -> list[ReportFlagView]:
    """Missing monthly reports (flagged) and late ones (reported after the deadline)."""
    _check_month(period)
    f, k = ct.kpi_report_flags.c, ct.kpi_records.c
    with svc.uow(write=False) as uow:
        missing = select(ct.kpi_report_flags).order_by(f.period.desc(), f.channel_id)
        late = select(k.channel_id, k.period, k.reported_at).where(k.late).order_by(k.period.desc(), k.channel_id)
        if period is not None:
            missing, late = missing.where(f.period == period), late.where(k.period == period)
        found = [ReportFlagView.model_validate(dict(r)) for r in uow.conn.execute(missing).mappings()]
        found += [ReportFlagView(channel_id=r.channel_id, period=r.period, kind="late", flagged_at=r.reported_at)
                  for r in uow.conn.execute(late.limit(10_000))]
    return found


MAX_SUBJECT_MATCHES = 500


def channel_names(svc: Services, ids: Iterable[int]) -> dict[int, str]:
    """id -> name of the channels `ids` (a list page names its subjects: 渠道 华东旗舰店, not channel 4)."""
    wanted = sorted(set(ids))[:1000]
    if not wanted:
        return {}
    with svc.uow(write=False) as uow:
        rows = uow.conn.execute(select(ct.channels.c.id, ct.channels.c.name).where(ct.channels.c.id.in_(wanted)))
        return {int(r.id): str(r.name) for r in rows}


def subjects_named(svc: Services, text: str) -> list[tuple[str, str]]:
    """(subject type, subject id) of the channels whose name or code contains `text` (at most 500),
    for the instance search (`workflows.services.queries.list_instances(q=..., subjects=...)`)."""
    text = text.strip()
    if not text:
        return []
    with svc.uow(write=False) as uow:
        rows = uow.conn.execute(select(ct.channels.c.id).where(or_(
            ct.channels.c.name.icontains(text, autoescape=True), ct.channels.c.code.icontains(text, autoescape=True)))
            .order_by(ct.channels.c.id).limit(MAX_SUBJECT_MATCHES))
        return [("channel", str(r.id)) for r in rows]
