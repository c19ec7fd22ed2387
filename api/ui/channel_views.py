"""Channels: the registry with filters, one channel (KPI trends, stars, card, lifecycle, instances),
and the KPI import with its row-by-row report."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, File, Path, Query, UploadFile
from starlette.responses import Response

from api.ui import render
from api.ui.context import PostDep, Ui, UiDep
from api.ui.inbox_views import workflow_titles
from channels import kpi_import, queries, registry
from channels.permissions import ChannelAction
from channels.tables import CARDS, CHANNEL_TYPES, STAGES
from workflows.domain.errors import InvalidInput

router = APIRouter(prefix="/channels")
ChannelId = Annotated[int, Path(ge=1, le=2**31 - 1)]
Text = Annotated[str, Query(max_length=100)]
PER_PAGE = 50


@router.get("")
def channels(ui: UiDep, type: Text = "", region: Text = "", stage: Text = "", card: Text = "", q: Text = "",
             stars: Annotated[str, Query(pattern=r"^[1-5]?$")] = "",
             page: Annotated[int, Query(ge=1, le=100_000)] = 1) -> Response:
    ui.user  # noqa: B018 (signed-in users only)
    found = registry.list_channels(ui.svc, type=type or None, region=region or None, stage=stage or None,
                                   card=card or None, stars=int(stars) if stars else None, q=q or None, limit=PER_PAGE,
                                   offset=(page - 1) * PER_PAGE)
    query: dict[str, Any] = {"type": type, "region": region, "stage": stage, "card": card, "q": q,
                             "stars": stars}
    return render.html(ui, "channels.html", page=found, number=page, per_page=PER_PAGE, query=query,
                       more=urlencode({**query, "page": page + 1}), less=urlencode({**query, "page": page - 1}),
                       types=CHANNEL_TYPES, stages=("pending", *STAGES), cards=CARDS)


def _importer(ui: Ui) -> None:
    ui.allowed(ChannelAction.REPORT_KPIS)  # before a file is read


@router.get("/kpis/import")
def import_form(ui: UiDep) -> Response:
    _importer(ui)
    return render.html(ui, "kpi_import.html", result=None, problems=[], filename="", detail="")


@router.post("/kpis/import")
def import_file(ui: PostDep, file: Annotated[UploadFile, File()]) -> Response:
    try:  # the body is bounded before it is read (api/limits.py); the service checks permission and size
        result = kpi_import.import_file(ui.svc, actor=ui.user, data=file.file.read(), filename=file.filename)
    except InvalidInput as exc:  # the row-by-row report: nothing was imported
        return render.html(ui, "kpi_import.html", status=422, result=None, problems=exc.problems,
                           filename=file.filename or "", detail=exc.detail)
    return render.html(ui, "kpi_import.html", result=result, problems=[], filename=file.filename or "", detail="")


@router.get("/{channel_id}")
def channel(ui: UiDep, channel_id: ChannelId) -> Response:
    ui.user  # noqa: B018
    detail = queries.get_channel(ui.svc, channel_id=channel_id)
    kpis = sorted(detail.kpis, key=lambda k: k.period)
    chart = {"periods": [k.period for k in kpis],
             "series": {"attainment": [k.attainment for k in kpis],
                        "satisfaction": [k.satisfaction for k in kpis],
                        "on_time_rate": [k.on_time_rate for k in kpis],
                        "return_rate": [k.return_rate for k in kpis]},
             "sales": {"actual": [k.sales_actual for k in kpis], "target": [k.sales_target for k in kpis]}}
    return render.html(ui, "channel.html", detail=detail, ch=detail.channel, chart=chart, kpis=kpis,
                       titles=workflow_titles(ui), stage_order=STAGES)

