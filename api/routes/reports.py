"""Reports: SLA attainment per goal and process analytics (any signed-in user); department compliance
(see `workflows.services.report_access`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import AwareDatetime

from api.deps import CurrentActor, ServicesDep
from workflows.services import compliance, process, reports
from workflows.services.compliance_views import ComplianceReport
from workflows.services.process_views import ProcessReport
from workflows.services.reports import SlaReport

router = APIRouter(prefix="/reports", tags=["reports"])
ISO = "ISO 8601 with a timezone, e.g. 2026-11-01T00:00:00+08:00"
Workflow = Annotated[str, Query(min_length=1, max_length=100)]
From = Annotated[AwareDatetime | None, Query(alias="from", description=f"{ISO}; default: 30 days before `to`")]
To = Annotated[AwareDatetime | None, Query(description=f"{ISO}; default: now")]
Period = Annotated[str, Query(min_length=1, max_length=20, description="a month, YYYY-MM", examples=["2026-11"])]
Group = Annotated[str | None, Query(min_length=1, max_length=100, description="one group; default: every group")]
Version = Annotated[int | None, Query(ge=1, le=1_000_000, description="default: every version together")]
Weeks = Annotated[int, Query(ge=1, le=process.MAX_WEEKS, description="instances started in the last N weeks")]


@router.get("/sla", response_model=SlaReport,
            summary="SLA attainment per goal over the clocks stopped in [from, to), and open breaches")
def sla(_: CurrentActor, svc: ServicesDep, workflow: Workflow, from_: From = None, to: To = None) -> SlaReport:
    return reports.sla_report(svc, workflow=workflow, start=from_, end=to)


@router.get("/compliance", response_model=ComplianceReport,
            summary="Department execution compliance per group for a month, with people and a 12-month trend")
def compliance_report(actor: CurrentActor, svc: ServicesDep, period: Period, group: Group = None
                      ) -> ComplianceReport:
    return compliance.compliance_report(svc, actor=actor, period=period, group=group)


@router.get("/process", response_model=ProcessReport,
            summary="Process analytics of a workflow: time per state, cycle time, transitions, weekly throughput")
def process_report(actor: CurrentActor, svc: ServicesDep, workflow: Workflow, version: Version = None,
                   weeks: Weeks = process.DEFAULT_WEEKS) -> ProcessReport:
    return process.process_report(svc, actor=actor, workflow=workflow, version=version, weeks=weeks)
