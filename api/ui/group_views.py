"""Groups for admins: the list with members, a new group (a region's too), titles and active flag."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Path, Query
from starlette.responses import Response

from api.ui import render
from api.ui.context import PostDep, UiDep
from workflows.domain.permissions import Action
from workflows.services import groups

router = APIRouter(prefix="/admin/groups")
Code = Annotated[str, Path(min_length=1, max_length=57)]
Title = Annotated[str, Form(max_length=100)]
Description = Annotated[str, Form(max_length=500)]


@router.get("")
def groups_page(ui: UiDep, show: Annotated[str, Query(pattern="^(active|all)?$")] = "active") -> Response:
    actor = ui.allowed(Action.MANAGE_GROUPS)
    found = groups.list_groups(ui.svc, actor=actor, active=None if show == "all" else True)
    return render.html(ui, "admin_groups.html", groups=found, show=show or "active")


@router.post("")
def create_group(ui: PostDep, code: Annotated[str, Form(max_length=57)], title_zh: Title, title_en: Title,
                 description: Description = "") -> Response:
    groups.add_group(ui.svc, actor=ui.user, code=code.strip(), title_zh=title_zh, title_en=title_en,
                     description=description)
    return render.redirect(ui, "/admin/groups")


@router.get("/{code}")
def group_page(ui: UiDep, code: Code, saved: Annotated[str, Query(max_length=10)] = "") -> Response:
    actor = ui.allowed(Action.MANAGE_GROUPS)
    return render.html(ui, "admin_group.html", group=groups.get_group(ui.svc, actor=actor, code=code), saved=saved)


@router.post("/{code}")
def save_group(ui: PostDep, code: Code, title_zh: Title, title_en: Title, description: Description = "",
               active: Annotated[str, Form(max_length=5)] = "") -> Response:
    groups.update_group(ui.svc, actor=ui.user, code=code, changes={
        "title_zh": title_zh, "title_en": title_en, "description": description, "active": active == "on"})
    return render.redirect(ui, f"/admin/groups/{code}?saved=1")
