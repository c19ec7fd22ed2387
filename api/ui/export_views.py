"""Downloads behind the pages' CSV / Excel buttons: the API's exports, signed in by the session.

The filters are the pages' own (an empty value means no filter); headers follow the page's language.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query
from starlette.responses import Response

from api import exports
from api.ui import audit_views
from api.ui.context import Ui, UiDep
from channels import exports as channel_exports
from workflows.domain.errors import InvalidInput, Problem
from workflows.services import exports as engine_exports
from workflows.services.tabular import Table

router = APIRouter(prefix="/exports")
Format = Annotated[Literal["csv", "xlsx"], Query()]
Text = Annotated[str, Query(max_length=100)]
Id = Annotated[int | None, Query(ge=1, le=2**31 - 1)]


def _send(ui: Ui, table: Table, format: Literal["csv", "xlsx"]) -> Response:
    today = ui.svc.clock.now().astimezone(ZoneInfo(ui.settings.timezone)).date()
    return exports.respond(table, format=format, locale=ui.locale, timezone=ui.settings.timezone, today=today)


def _moment(name: str, value: str) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise InvalidInput("bad time", [Problem(name, "expected ISO 8601 with a timezone")]) from None


@router.get("/channels")
def channels(ui: UiDep, format: Format = "csv", type: Text = "", region: Text = "", stage: Text = "",
             card: Text = "", q: Text = "", stars: Annotated[str, Query(pattern=r"^[1-5]?$")] = "") -> Response:
    table = channel_exports.channels_table(ui.svc, actor=ui.user, type=type or None, region=region or None,
                                           stage=stage or None, card=card or None,
                                           stars=int(stars) if stars else None, q=q or None)
    return _send(ui, table, format)


@router.get("/kpis")
def kpis(ui: UiDep, format: Format = "csv", channel_id: Id = None) -> Response:
    return _send(ui, channel_exports.kpis_table(ui.svc, actor=ui.user, channel_id=channel_id), format)


@router.get("/cards")
def cards(ui: UiDep, format: Format = "csv", channel_id: Id = None) -> Response:
    return _send(ui, channel_exports.cards_table(ui.svc, actor=ui.user, channel_id=channel_id), format)


@router.get("/instances")
def instances(ui: UiDep, format: Format = "csv", workflow: Text = "", state: Text = "", status: Text = ""
              ) -> Response:
    table = engine_exports.instances_table(ui.svc, actor=ui.user, locale=ui.locale, workflow=workflow or None,
                                           state=state or None, status=status or None)
    return _send(ui, table, format)


@router.get("/tasks")
def tasks(ui: UiDep, format: Format = "csv") -> Response:
    return _send(ui, engine_exports.tasks_table(ui.svc, actor=ui.user), format)


@router.get("/audit")
def audit(ui: UiDep, format: Format = "csv", instance_id: Id = None, entity_type: audit_views.Kind = "",
          entity_id: Text = "", actor: Text = "", action: audit_views.Action = "", since: audit_views.Since = "",
          to: audit_views.Until = "") -> Response:
    """One instance's history, or the audit page's filtered trail (`/audit`), oldest first."""
    chosen = audit_views.Filters(entity_type=entity_type, entity_id=entity_id.strip(), actor=actor.strip(),
                                 action=action, since=since, until=to)
    table = engine_exports.audit_table(ui.svc, actor=ui.user, instance_id=instance_id,
                                       **chosen.service(ui.settings.timezone))
    return _send(ui, table, format)


@router.get("/reports/sla")
def sla(ui: UiDep, workflow: Annotated[str, Query(min_length=1, max_length=100)], format: Format = "csv",
        start: Annotated[str, Query(alias="from", max_length=40)] = "",
        end: Annotated[str, Query(alias="to", max_length=40)] = "") -> Response:
    table = engine_exports.sla_table(ui.svc, actor=ui.user, workflow=workflow, start=_moment("from", start),
                                     end=_moment("to", end))
    return _send(ui, table, format)
