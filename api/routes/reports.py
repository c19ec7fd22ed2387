"""Reports: SLA attainment per goal, for any logged-in user."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import AwareDatetime

from api.deps import CurrentActor, ServicesDep
from workflows.services import reports
from workflows.services.reports import SlaReport

router = APIRouter(prefix="/reports", tags=["reports"])
ISO = "ISO 8601 with a timezone, e.g. 2026-11-01T00:00:00+08:00"
Workflow = Annotated[str, Query(min_length=1, max_length=100)]
From = Annotated[AwareDatetime | None, Query(alias="from", description=f"{ISO}; default: 30 days before `to`")]
To = Annotated[AwareDatetime | None, Query(description=f"{ISO}; default: now")]


@router.get("/sla", response_model=SlaReport,
            summary="SLA attainment per goal over the clocks stopped in [from, to), and open breaches")
def sla(_: CurrentActor, svc: ServicesDep, workflow: Workflow, from_: From = None, to: To = None) -> SlaReport:
    return reports.sla_report(svc, workflow=workflow, start=from_, end=to)
