"""Notification pages: one's own targets (add, test, remove) and preferences, group targets for
admins (`/notifications`); the outbox for admins, with its dead letters to requeue (`/admin/outbox`)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Annotated, Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Path, Query
from starlette.responses import Response

from api.routes.notifications import probe_notifier
from api.ui import render
from api.ui.context import PostDep, Ui, UiDep
from workflows.domain.errors import InvalidInput, Problem
from workflows.domain.group_titles import group_title
from workflows.domain.permissions import Action
from workflows.domain.principals import BUILTIN_GROUPS
from workflows.services import outbox, preferences, targets
from workflows.services.outbox import OutboxFilter
from workflows.services.preferences import MESSAGE_KINDS, TARGET_KINDS

router = APIRouter()
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]
Text = Annotated[str, Query(max_length=200)]
PER_PAGE = 50


def _page(ui: Ui, *, tested: targets.SendTestResult | None = None, saved: bool = False, status: int = 200) -> Response:
    actor = ui.user
    mine = targets.list_targets(ui.svc, actor=actor, owner_type="user", owner=str(actor.id))
    admin = ui.may(Action.MANAGE_OUTBOX)
    groups = targets.list_targets(ui.svc, actor=actor, owner_type="group") if admin else []
    prefs = preferences.get_preferences(ui.svc, actor=actor, user_id=actor.id or 0)
    group_names = sorted(BUILTIN_GROUPS | {g.owner for g in groups})
    return render.html(ui, "notifications.html", status=status, mine=mine, groups=groups, admin=admin, prefs=prefs,
                       message_kinds=list(MESSAGE_KINDS), target_kinds=TARGET_KINDS, tested=tested, saved=saved,
                       group_names=group_names, group_titles={g: ui.fmt.pick(*group_title(g)) for g in group_names},
                       shapes=targets.SHAPES)


@router.get("/notifications")
def notifications_page(ui: UiDep, saved: Annotated[int, Query(ge=0, le=1)] = 0) -> Response:
    return _page(ui, saved=bool(saved))


@router.post("/notifications/targets")
def add_target(ui: PostDep) -> Response:
    actor = ui.user
    owner_type = ui.form.get("owner_type", "user")
    owner = ui.form.get("owner", "") if owner_type == "group" else str(actor.id)
    targets.add_target(ui.svc, actor=actor, owner_type=owner_type, owner=owner, kind=ui.form.get("kind", ""),
                       url=ui.form.get("url", "")[: targets.URL_MAX + 1], locale=ui.form.get("locale") or None)
    return render.redirect(ui, "/notifications")


@router.post("/notifications/targets/{target_id}/test")
def test_send(ui: PostDep, target_id: Id) -> Response:
    result = targets.send_test(ui.svc, actor=ui.user, target_id=target_id, notifier=probe_notifier(ui.request))
    return _page(ui, tested=result)


@router.post("/notifications/targets/{target_id}/remove")
def remove_target(ui: PostDep, target_id: Id) -> Response:
    targets.remove_target(ui.svc, actor=ui.user, target_id=target_id)
    return render.redirect(ui, "/notifications")


@router.post("/notifications/preferences")
def save_preferences(ui: PostDep) -> Response:
    channels: dict[str, list[str]] = {}
    for name in MESSAGE_KINDS:
        chosen = [kind for kind in TARGET_KINDS if ui.form.get(f"{name}.{kind}") == "on"]
        if len(chosen) < len(TARGET_KINDS):
            channels[name] = chosen
    preferences.set_preferences(ui.svc, actor=ui.user, user_id=ui.user.id or 0, muted=ui.form.get("muted") == "on",
                                channels=channels)
    return render.redirect(ui, "/notifications?saved=1")


def _day(ui: Ui, text: str, field: str, *, after: bool = False) -> datetime | None:
    """A date in the business time zone, as the moment it starts (`after`: the next day's start)."""
    if not text:
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError as exc:
        raise InvalidInput("the filter is not valid", [Problem(field, "expected a date, e.g. 2026-11-29")]) from exc
    start = datetime.combine(day + timedelta(days=1 if after else 0), time(), ZoneInfo(ui.settings.timezone))
    return start


def _filter(ui: Ui, *, status: str, kind: str, recipient: str, since: str, until: str) -> OutboxFilter:
    return OutboxFilter(status=status or None, template=kind or None, recipient=recipient or None,
                        since=_day(ui, since, "from"), until=_day(ui, until, "to", after=True))


@router.get("/admin/outbox")
def outbox_page(ui: UiDep, status: Text = "", kind: Text = "", recipient: Text = "", since: Annotated[
        str, Query(alias="from", max_length=10)] = "", until: Annotated[str, Query(alias="to", max_length=10)] = "",
        page: Annotated[int, Query(ge=1, le=100_000)] = 1,
        requeued: Annotated[int | None, Query(ge=0, le=outbox.REQUEUE_MAX)] = None) -> Response:
    actor = ui.allowed(Action.MANAGE_OUTBOX)
    where = _filter(ui, status=status, kind=kind, recipient=recipient, since=since, until=until)
    found = outbox.outbox_page(ui.svc, actor=actor, where=where, limit=PER_PAGE, offset=(page - 1) * PER_PAGE)
    query: dict[str, Any] = {k: v for k, v in {"status": status, "kind": kind, "recipient": recipient,
                                                 "from": since, "to": until}.items() if v}
    shown = {"status": status, "kind": kind, "recipient": recipient, "from": since, "to": until}
    kinds = {item.template: preferences.message_kind(item.template) for item in found.items}
    return render.html(ui, "outbox.html", page=found, query=shown, number=page, per_page=PER_PAGE,
                       statuses=outbox.STATUSES, requeued=requeued, kinds=kinds,
                       less=urlencode({**query, "page": page - 1}), more=urlencode({**query, "page": page + 1}),
                       back=urlencode(query))


@router.post("/admin/outbox/{outbox_id}/requeue")
def requeue_one(ui: PostDep, outbox_id: Id) -> Response:
    outbox.requeue_dead(ui.svc, actor=ui.user, outbox_id=outbox_id)
    return render.redirect(ui, "/admin/outbox?" + urlencode({"status": "dead", "requeued": 1}))


@router.post("/admin/outbox/requeue")
def requeue_matching(ui: PostDep) -> Response:
    form = ui.form
    where = _filter(ui, status="dead", kind=form.get("kind", "")[:100], recipient=form.get("recipient", "")[:200],
                    since=form.get("from", "")[:10], until=form.get("to", "")[:10])
    done = outbox.requeue_many(ui.svc, actor=ui.user, where=where)
    return render.redirect(ui, "/admin/outbox?" + urlencode({"status": "dead", "requeued": len(done)}))
