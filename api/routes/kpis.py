"""KPI data in (JSON rows or a CSV/XLSX file, all-or-nothing) and the rules' outcomes out."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, File, Query, UploadFile
from pydantic import BaseModel, ConfigDict, Field

from api.deps import CurrentActor, ServicesDep
from channels import evaluation, kpi_import, queries
from channels.views import AlarmView, EvaluationResult, ImportResult, ReportFlagView, StarView, SuggestionView

router = APIRouter(prefix="/kpis", tags=["kpis"])
Month = Annotated[str, Query(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", examples=["2026-10"])]


def _metric(description: str) -> float | None:
    return Field(default=None, ge=0, le=1e13, allow_inf_nan=False, description=description)


class KpiRowIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    channel_code: str = Field(min_length=1, max_length=50, examples=["C-001"])
    period: str = Field(min_length=1, max_length=20, examples=["2026-10"], description="month, YYYY-MM")
    sales_actual: float = Field(ge=0, le=1e13, allow_inf_nan=False)
    sales_target: float | None = _metric("default: the channel's own, else its type's monthly target")
    satisfaction: float | None = _metric("0-5 or 0-100")
    on_time_rate: float | None = _metric("percent, 0-100")
    return_rate: float | None = _metric("percent, 0-100")
    activity: float | None = _metric("orders or active days in the month")


class KpiBatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    rows: list[KpiRowIn] = Field(min_length=1, max_length=10_000)


class EvaluateRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    period: str = Field(min_length=1, max_length=10, examples=["2026-Q3", "2026-10"])


@router.post("", response_model=ImportResult, status_code=201,
             summary="Report KPI rows (all or nothing; 422 lists every bad row by its index + 1)")
def report(body: KpiBatch, actor: CurrentActor, svc: ServicesDep) -> ImportResult:
    return kpi_import.import_records(svc, actor=actor, rows=[r.model_dump() for r in body.rows])


@router.post("/import", response_model=ImportResult, status_code=201,
             summary="Import a CSV (UTF-8, UTF-8 with BOM, GBK) or XLSX file; 422 lists every bad line")
def import_file(file: Annotated[UploadFile, File(description="CSV or XLSX")], actor: CurrentActor,
                svc: ServicesDep) -> ImportResult:
    # The body is bounded before it is read (api/limits.py); the service checks the file's size.
    return kpi_import.import_file(svc, actor=actor, data=file.file.read(), filename=file.filename)


@router.post("/evaluate", response_model=EvaluationResult, summary="Run the KPI rules for a month or quarter")
def evaluate(body: EvaluateRequest, actor: CurrentActor, svc: ServicesDep) -> EvaluationResult:
    return evaluation.evaluate_period(svc, actor=actor, period=body.period)


@router.get("/alarms", response_model=list[AlarmView], summary="Alarms, newest first")
def alarms(_: CurrentActor, svc: ServicesDep, period: Month | None = None,
           region: Annotated[str | None, Query(max_length=50)] = None,
           scope: Literal["channel", "region"] | None = None,
           limit: Annotated[int, Query(ge=1, le=500)] = 100,
           offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0) -> list[AlarmView]:
    return queries.list_alarms(svc, period=period, region=region, scope=scope, limit=limit, offset=offset)


@router.get("/stars", response_model=list[StarView], summary="A month's star ratings; stars=5: the five-star list")
def stars(_: CurrentActor, svc: ServicesDep, period: Month,
          stars: Annotated[int | None, Query(ge=1, le=5)] = None) -> list[StarView]:
    return queries.list_stars(svc, period=period, stars=stars)


@router.get("/suggestions", response_model=list[SuggestionView], summary="Lifecycle suggestions")
def suggestions(_: CurrentActor, svc: ServicesDep,
                status: Literal["open", "accepted", "declined"] | None = None) -> list[SuggestionView]:
    return queries.list_suggestions(svc, status=status)


@router.get("/reports", response_model=list[ReportFlagView], summary="Late and missing monthly reports")
def reports(_: CurrentActor, svc: ServicesDep, period: Month | None = None) -> list[ReportFlagView]:
    return queries.report_flags(svc, period=period)
