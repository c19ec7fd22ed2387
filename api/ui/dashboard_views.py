"""The dashboard: open instances by workflow and state, tasks due, SLA attainment this month."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter
from starlette.responses import Response

from api.ui import render
from api.ui.context import Ui, UiDep
from api.ui.definitions import parsed
from channels import queries as channel_queries
from channels import registry
from workflows.domain.permissions import Action
from workflows.services import dashboard, definitions, reports

router = APIRouter()
ALARMS_SHOWN = 10


def _month_start(ui: Ui) -> datetime:
    local = ui.svc.clock.now().astimezone(ZoneInfo(ui.settings.timezone))
    return local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


@router.get("/dashboard")
def dashboard_page(ui: UiDep) -> Response:
    ui.user  # noqa: B018 (signed-in users only)
    published = definitions.list_definitions(ui.svc)
    parsed_defs = {d.name: parsed(ui.svc, d) for d in published}
    titles = {d.name: ui.fmt.pick(d.title_zh, d.title_en) for d in published}
    state_titles = {(name, s.name): ui.fmt.title(s.title, s.name) for name, d in parsed_defs.items() for s in d.states}
    counts = dashboard.open_instances_by_state(ui.svc)
    now = ui.svc.clock.now()
    start = _month_start(ui)
    sla = [reports.sla_report(ui.svc, workflow=name, start=start, end=now)
           for name, d in parsed_defs.items() if d.sla and start < now]
    goal_titles = {(name, g.name): ui.fmt.title(g.title, g.name) for name, d in parsed_defs.items() for g in d.sla}
    soon = ui.svc.calendar.add_working_time(now, ui.svc.calendar.working_day_length())
    chart: dict[str, Any] = {
        "labels": [titles.get(w, w) for w in dict.fromkeys(c.workflow for c in counts)],
        "series": [{"label": state_titles.get((c.workflow, c.state), c.state),
                    "workflow": titles.get(c.workflow, c.workflow), "count": c.count} for c in counts],
    }
    return render.html(
        ui, "dashboard.html", counts=counts, titles=titles, state_titles=state_titles, chart=chart,
        tasks=dashboard.task_counts(ui.svc, soon=soon), sla=sla, goal_titles=goal_titles, month_start=start,
        cards={card: registry.list_channels(ui.svc, card=card, limit=1).total for card in ("yellow", "red")},
        alarms=channel_queries.list_alarms(ui.svc, limit=ALARMS_SHOWN),
        dead_notifications=dashboard.dead_notifications(ui.svc) if ui.may(Action.MANAGE_OUTBOX) else None,
    )
