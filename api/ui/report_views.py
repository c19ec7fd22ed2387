"""Report pages: department compliance (tables and charts) and process analytics (a diagram weighted by use)."""

from __future__ import annotations

from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query
from starlette.responses import Response

from api.ui import render
from api.ui.context import Ui, UiDep
from workflows.domain.principals import DEPARTMENT_GROUPS
from workflows.domain.usage_diagram import usage_mermaid
from workflows.services import compliance, definitions, process
from workflows.services.compliance_views import ComplianceReport
from workflows.services.report_access import compliance_groups

router = APIRouter(prefix="/reports")
Period = Annotated[str | None, Query(max_length=20)]
Group = Annotated[str | None, Query(max_length=100)]


def _last_month(ui: Ui) -> str:
    local = ui.svc.clock.now().astimezone(ZoneInfo(ui.svc.calendar.config.timezone))
    index = local.year * 12 + local.month - 2
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


@router.get("/compliance")
def compliance_page(ui: UiDep, period: Period = None, group: Group = None) -> Response:
    """Last month by default; a member of a department who may not see every group sees their own."""
    allowed = compliance_groups(ui.user)
    if allowed is not None and not allowed:  # in no group: nothing of this report to show
        return render.redirect(ui, "/reports/process")
    if not group and allowed is not None:
        group = min(allowed & DEPARTMENT_GROUPS or allowed, default=None)
    report = compliance.compliance_report(ui.svc, actor=ui.user, period=period or _last_month(ui),
                                          group=group or None)
    choices = [(name, ui.fmt.group(name))
               for name in (compliance.DEPARTMENT_ORDER if allowed is None else sorted(allowed))]
    return render.html(ui, "report_compliance.html", report=report, chart=_compliance_chart(ui, report),
                       group=group or "", choices=choices, everyone=allowed is None)


def _compliance_chart(ui: Ui, report: ComplianceReport) -> dict[str, Any]:
    names = [ui.fmt.pick(g.title_zh, g.title_en) for g in report.groups]
    return {
        "labels": names,
        "kinds": [{"label": ui.gettext(label), "values": [getattr(g, key) for g in report.groups], "key": key}
                  for key, label in (("on_time", "On time"), ("late", "Late"), ("overdue", "Overdue"),
                                     ("open", "Open, not due"))],
        "months": [m.period for m in report.groups[0].trend] if report.groups else [],
        "trend": [{"label": name, "values": [m.on_time_rate for m in g.trend]}
                  for name, g in zip(names, report.groups, strict=True)],
        "rate_label": ui.gettext("On-time rate (%)"),
    }


@router.get("/process")
def process_page(ui: UiDep, workflow: Annotated[str | None, Query(max_length=100)] = None,
                 version: Annotated[int | None, Query(ge=1, le=1_000_000)] = None,
                 weeks: Annotated[int, Query(ge=1, le=process.MAX_WEEKS)] = process.DEFAULT_WEEKS) -> Response:
    published = definitions.list_definitions(ui.svc)
    name = workflow or (published[0].name if published else None)
    if name is None:
        return render.html(ui, "report_process.html", report=None, published=published, diagram="", weeks=weeks,
                           chart={})
    report = process.process_report(ui.svc, actor=ui.user, workflow=name, version=version, weeks=weeks)
    view = definitions.get_definition(ui.svc, name=name, version=version)
    parsed = definitions.validate_definition(ui.svc, view.source).definition
    uses = {(x.source, x.trigger, x.dest): x.count for x in report.transitions}
    diagram = usage_mermaid(parsed, uses=uses, median_hours={s.state: s.p50_hours for s in report.states},
                            locale=ui.locale) if parsed is not None else ""
    chart = {"labels": [w.week.isoformat() for w in report.weekly],
             "series": [{"label": ui.gettext("Started"), "values": [w.started for w in report.weekly]},
                        {"label": ui.gettext("Completed"), "values": [w.completed for w in report.weekly]},
                        {"label": ui.gettext("Backlog"), "values": [w.backlog for w in report.weekly], "line": True}]}
    return render.html(ui, "report_process.html", report=report, published=published, diagram=diagram, weeks=weeks,
                       chart=chart)
