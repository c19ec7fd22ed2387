"""Missing reports: once a month's deadline (`report_due_day` of the next month) has passed, every
active channel operating (activated) by the end of that month without a report is flagged `missing`
once, and its manager is told. Channel types that report quarterly (`report_frequency`) owe a quarter's
three months by `report_due_day` of the month after the quarter: they are checked when the run for the
quarter's last month comes after that deadline. Late reports are marked on the KPI row itself (`late`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from sqlalchemy import insert, select

from channels import periods
from channels import tables as ct
from channels.links import local_date
from channels.thresholds import Thresholds
from workflows.domain.principals import SYSTEM
from workflows.persistence.uow import UnitOfWork
from workflows.services.context import Services
from workflows.services.records import audit, notify


def _operating_since(svc: Services, row: Mapping[str, Any]) -> date:
    """The day a channel started operating: its introduction date (activation), else its registration."""
    introduced = (row["stage_dates"] or {}).get("introduction")
    return date.fromisoformat(introduced) if introduced else local_date(svc, row["created_at"])


def flag_missing(svc: Services, uow: UnitOfWork, *, month: str, limits: Thresholds, now: datetime) -> Counter[str]:
    """Flag the reports that fell due with `month`'s deadline and did not come: `month` itself for the
    channel types reporting monthly; the quarter's three months, once `month` closes it and the quarter's
    deadline has passed, for those reporting quarterly (`report_frequency`)."""
    counts: Counter[str] = Counter()
    today = local_date(svc, now)
    due: dict[str, list[str]] = {}  # channel type -> months due now
    for kind in ct.CHANNEL_TYPES:
        frequency = limits.frequency(kind)
        if today > periods.reporting_deadline(month, day=limits.report_due_day, frequency=frequency):
            due[kind] = periods.months_due(month, frequency=frequency)
    months = sorted({m for found in due.values() for m in found})
    if not months:
        return counts
    c, k, f = ct.channels.c, ct.kpi_records.c, ct.kpi_report_flags.c
    done = {(row.channel_id, row.period) for query in (select(k.channel_id, k.period).where(k.period.in_(months)),
                                                       select(f.channel_id, f.period).where(f.period.in_(months)))
            for row in uow.conn.execute(query)}
    candidates = uow.conn.execute(select(c.id, c.code, c.type, c.manager_id, c.created_at, c.stage_dates).where(
        c.active, c.type.in_(list(due))).order_by(c.id)).mappings().all()
    for row in candidates:
        since = _operating_since(svc, dict(row))
        missing = [m for m in due[row["type"]] if (row["id"], m) not in done
                   and since < periods.first_day(periods.shift_month(m, 1))]
        for period in missing:
            uow.conn.execute(insert(ct.kpi_report_flags), {"channel_id": row["id"], "period": period,
                                                            "kind": "missing", "flagged_at": now})
            audit(uow, now=now, actor=SYSTEM, entity_type="channel", entity_id=row["id"], action="report_missing",
                  data={"period": period})
            counts["missing_reports"] += 1
        if missing and row["manager_id"] is not None:
            _tell(uow, dict(row), missing, quarterly=limits.frequency(row["type"]) == "quarterly", now=now)
    return counts


def _tell(uow: UnitOfWork, row: Mapping[str, Any], missing: list[str], *, quarterly: bool, now: datetime) -> None:
    """One notice to the channel's manager per run, naming every missing month."""
    listed = ", ".join(missing)
    zh, en = ("季度数据未上报", "quarterly KPI report missing") if quarterly else ("月度数据未上报",
                                                                            "monthly KPI report missing")
    notify(uow, now=now, instance_id=None, recipients=[f"user:{row['manager_id']}"], template="kpi_report_missing",
           payload={"subject_type": "channel", "subject_id": row["code"],
                    "period": periods.quarter_of(missing[-1]) if quarterly else missing[-1],
                    "workflow_title_zh": "KPI 季度数据上报" if quarterly else "KPI 月度数据上报",
                    "workflow_title_en": "Quarterly KPI report" if quarterly else "Monthly KPI report",
                    "comment": f"{row['code']} {listed}: {zh} / {en}"})
