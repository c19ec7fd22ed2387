"""Exports as CSV (UTF-8 with a BOM) or XLSX, streamed: `GET /exports/{kind}?format=csv|xlsx&...`.

Each kind takes the filters of its list (`docs/reports.md`); who may export is who may read it.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query
from pydantic import AwareDatetime
from starlette.responses import StreamingResponse

from api import exports
from api.deps import CurrentActor, ServicesDep, SettingsDep
from api.routes import reports
from channelops.settings import Settings
from channels import exports as channel_exports
from workflows.domain.principals import Actor
from workflows.services import exports as engine_exports
from workflows.services import process as process_service
from workflows.services import report_exports
from workflows.services.context import Services
from workflows.services.tabular import Table

router = APIRouter(prefix="/exports", tags=["exports"])
Format = Annotated[Literal["csv", "xlsx"], Query(description="csv: UTF-8 with a BOM; xlsx: an Excel workbook")]
Lang = Annotated[Literal["zh", "en"] | None, Query(description="column headers; default: the caller's language")]
Text = Annotated[str | None, Query(max_length=100)]
Id = Annotated[int | None, Query(ge=1, le=2**31 - 1)]
From = Annotated[AwareDatetime | None, Query(alias="from", description="ISO 8601 with a timezone, inclusive")]
To = Annotated[AwareDatetime | None, Query(description="ISO 8601 with a timezone, exclusive")]
MONTH = r"^\d{4}-(0[1-9]|1[0-2])$"
FILE: dict[int | str, dict[str, Any]] = {200: {"description": "the file, streamed", "content": {
    "text/csv": {"schema": {"type": "string"}},
    exports.MEDIA_TYPES["xlsx"]: {"schema": {"type": "string", "format": "binary"}}}}}


def send(table: Table, *, actor: Actor, svc: Services, settings: Settings, format: Any, lang: str | None
         ) -> StreamingResponse:
    today: date = svc.clock.now().astimezone(ZoneInfo(settings.timezone)).date()
    return exports.respond(table, format=format, locale=lang or actor.locale, timezone=settings.timezone,
                           today=today)


@router.get("/channels", response_class=StreamingResponse, responses=FILE, summary="Channels, filtered like the list")
def channels(actor: CurrentActor, svc: ServicesDep, settings: SettingsDep, format: Format = "csv", lang: Lang = None,
             type: Literal["direct_store", "agent", "ecommerce", "social"] | None = None,
             region: Annotated[str | None, Query(max_length=50)] = None,
             stage: Literal["pending", "introduction", "growth", "maturity", "decline", "exit"] | None = None,
             stars: Annotated[int | None, Query(ge=1, le=5)] = None,
             card: Literal["none", "yellow", "red"] | None = None, manager_id: Id = None, q: Text = None
             ) -> StreamingResponse:
    table = channel_exports.channels_table(svc, actor=actor, type=type, region=region, stage=stage, stars=stars,
                                           card=card, manager_id=manager_id, q=q)
    return send(table, actor=actor, svc=svc, settings=settings, format=format, lang=lang)


@router.get("/kpis", response_class=StreamingResponse, responses=FILE,
            summary="Monthly KPI rows; `from` and `to` are months (YYYY-MM), both inclusive")
def kpis(actor: CurrentActor, svc: ServicesDep, settings: SettingsDep, format: Format = "csv", lang: Lang = None,
         channel_id: Id = None, region: Annotated[str | None, Query(max_length=50)] = None,
         since: Annotated[str | None, Query(alias="from", pattern=MONTH, examples=["2026-01"])] = None,
         until: Annotated[str | None, Query(alias="to", pattern=MONTH, examples=["2026-12"])] = None
         ) -> StreamingResponse:
    table = channel_exports.kpis_table(svc, actor=actor, channel_id=channel_id, region=region, since=since,
                                       until=until)
    return send(table, actor=actor, svc=svc, settings=settings, format=format, lang=lang)


@router.get("/cards", response_class=StreamingResponse, responses=FILE, summary="Card history: yellow and red cards")
def cards(actor: CurrentActor, svc: ServicesDep, settings: SettingsDep, format: Format = "csv", lang: Lang = None,
          channel_id: Id = None, from_: From = None, to: To = None) -> StreamingResponse:
    table = channel_exports.cards_table(svc, actor=actor, channel_id=channel_id, start=from_, end=to)
    return send(table, actor=actor, svc=svc, settings=settings, format=format, lang=lang)


@router.get("/instances", response_class=StreamingResponse, responses=FILE,
            summary="Instances started in [from, to), filtered like the list")
def instances(actor: CurrentActor, svc: ServicesDep, settings: SettingsDep, format: Format = "csv",
              lang: Lang = None, workflow: Text = None, state: Text = None,
              status: Annotated[str | None, Query(max_length=20)] = None, subject_id: Text = None,
              from_: From = None, to: To = None) -> StreamingResponse:
    table = engine_exports.instances_table(svc, actor=actor, locale=lang or actor.locale, workflow=workflow,
                                           state=state, status=status, subject_id=subject_id, start=from_, end=to)
    return send(table, actor=actor, svc=svc, settings=settings, format=format, lang=lang)


@router.get("/tasks", response_class=StreamingResponse, responses=FILE,
            summary="Tasks created in [from, to): all for the committee, admins and auditors, else the caller's")
def tasks(actor: CurrentActor, svc: ServicesDep, settings: SettingsDep, format: Format = "csv", lang: Lang = None,
          status: Literal["open", "completed", "cancelled"] | None = None, workflow: Text = None,
          group: Text = None, from_: From = None, to: To = None) -> StreamingResponse:
    table = engine_exports.tasks_table(svc, actor=actor, status=status, workflow=workflow, group=group,
                                       start=from_, end=to)
    return send(table, actor=actor, svc=svc, settings=settings, format=format, lang=lang)


@router.get("/audit", response_class=StreamingResponse, responses=FILE,
            summary="The audit trail in [from, to): all of it for admins and auditors, one instance's for others")
def audit(actor: CurrentActor, svc: ServicesDep, settings: SettingsDep, format: Format = "csv", lang: Lang = None,
          instance_id: Id = None, entity_type: Annotated[str | None, Query(max_length=30)] = None,
          entity_id: Text = None, action: Annotated[str | None, Query(max_length=50)] = None,
          actor_login: Annotated[str | None, Query(alias="actor", max_length=100)] = None,
          from_: From = None, to: To = None) -> StreamingResponse:
    table = engine_exports.audit_table(svc, actor=actor, instance_id=instance_id, entity_type=entity_type,
                                       entity_id=entity_id, action=action, login=actor_login, start=from_, end=to)
    return send(table, actor=actor, svc=svc, settings=settings, format=format, lang=lang)


@router.get("/reports/sla", response_class=StreamingResponse, responses=FILE,
            summary="The SLA report (`GET /reports/sla`), one row per goal")
def sla(actor: CurrentActor, svc: ServicesDep, settings: SettingsDep,
        workflow: Annotated[str, Query(min_length=1, max_length=100)], format: Format = "csv", lang: Lang = None,
        from_: Annotated[AwareDatetime | None, Query(alias="from", description="default: 30 days before `to`")] = None,
        to: Annotated[AwareDatetime | None, Query(description="default: now")] = None) -> StreamingResponse:
    table = engine_exports.sla_table(svc, actor=actor, workflow=workflow, start=from_, end=to)
    return send(table, actor=actor, svc=svc, settings=settings, format=format, lang=lang)


@router.get("/reports/compliance", response_class=StreamingResponse, responses=FILE,
            summary="Department compliance (`GET /reports/compliance`), one row per group")
def compliance(actor: CurrentActor, svc: ServicesDep, settings: SettingsDep, period: reports.Period,
               group: reports.Group = None, format: Format = "csv", lang: Lang = None) -> StreamingResponse:
    table = report_exports.compliance_table(svc, actor=actor, period=period, group=group)
    return send(table, actor=actor, svc=svc, settings=settings, format=format, lang=lang)


@router.get("/reports/process", response_class=StreamingResponse, responses=FILE,
            summary="Process analytics (`GET /reports/process`), one row per state")
def process(actor: CurrentActor, svc: ServicesDep, settings: SettingsDep, workflow: reports.Workflow,
            version: reports.Version = None, weeks: reports.Weeks = process_service.DEFAULT_WEEKS,
            format: Format = "csv", lang: Lang = None) -> StreamingResponse:
    table = report_exports.process_table(svc, actor=actor, workflow=workflow, version=version, weeks=weeks)
    return send(table, actor=actor, svc=svc, settings=settings, format=format, lang=lang)
