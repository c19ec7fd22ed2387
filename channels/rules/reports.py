"""Missing monthly reports: once a month's deadline (`report_due_day` of the next month) has
passed, every active channel operating (activated) by the end of that month without a report is flagged
`missing` once, and its manager is told. Late reports are marked on the KPI row itself (`late`).
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
    counts: Counter[str] = Counter()
    if local_date(svc, now) <= periods.report_deadline(month, day=limits.report_due_day):
        return counts
    c, k, f = ct.channels.c, ct.kpi_records.c, ct.kpi_report_flags.c
    month_end = periods.first_day(periods.shift_month(month, 1))
    reported = select(k.channel_id).where(k.period == month)
    flagged = select(f.channel_id).where(f.period == month)
    candidates = uow.conn.execute(select(c.id, c.code, c.manager_id, c.created_at, c.stage_dates).where(
        c.active, c.id.not_in(reported), c.id.not_in(flagged))).mappings().all()
    for row in candidates:
        if _operating_since(svc, dict(row)) >= month_end:
            continue
        uow.conn.execute(insert(ct.kpi_report_flags), {"channel_id": row["id"], "period": month, "kind": "missing",
                                                        "flagged_at": now})
        audit(uow, now=now, actor=SYSTEM, entity_type="channel", entity_id=row["id"], action="report_missing",
              data={"period": month})
        if row["manager_id"] is not None:
            notify(uow, now=now, instance_id=None, recipients=[f"user:{row['manager_id']}"],
                   template="kpi_report_missing", payload={
                       "subject_type": "channel", "subject_id": row["code"], "period": month,
                       "workflow_title_zh": "KPI 月度数据上报", "workflow_title_en": "Monthly KPI report",
                       "comment": f"{row['code']} {month}: 月度数据未上报 / monthly KPI report missing"})
        counts["missing_reports"] += 1
    return counts
