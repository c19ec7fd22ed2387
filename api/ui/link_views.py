"""Decision links from notifications: a confirmation page with the task's context, signed in or not.

`GET /links/{token}` shows the task (subject, requester, key fields, the other reviewers) and a
comment box; `POST /links/{token}` (with the page's CSRF token) decides as the user the link was
issued to. A used, expired or revoked link gets a page that says why, in the user's language.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Path
from starlette.responses import Response

from api.ui import render
from api.ui.context import PostDep, Ui, UiDep
from api.ui.definitions import parsed
from channels import task_subjects
from workflows.services import action_links, definitions
from workflows.services import inbox as cards
from workflows.services.action_links import LinkRefused, LinkView

router = APIRouter(prefix="/links")
Token = Annotated[str, Path(min_length=10, max_length=400, pattern=r"^[A-Za-z0-9_.\-]+$")]


def _speak_as(ui: Ui, link: LinkView | None) -> None:
    """Someone not signed in, who has chosen no language here, reads the page in the link's user's."""
    if ui.actor is None and ui.session.locale is None and link is not None and link.user_locale in ("zh", "en"):
        ui.locale = link.user_locale


def _refused(ui: Ui, reason: str, link: LinkView | None = None) -> Response:
    _speak_as(ui, link)
    status = 404 if reason == "invalid" else 410
    return render.html(ui, "link.html", status=status, link=link, reason=reason, task=None,
                       states={}, result=None, token="", chosen="")


def _page(ui: Ui, link: LinkView, token: str, **extra: Any) -> Response:
    task = task_subjects.named(ui.svc, [cards.card(ui.svc, task_id=link.task_id)])[0]
    workflow = definitions.get_definition(ui.svc, name=task.workflow)
    values: dict[str, Any] = {"link": link, "reason": link.reason, "task": task, "token": token,
                              "workflow_title": ui.fmt.pick(workflow.title_zh, workflow.title_en),
                              "chosen": link.action if link.action in link.decisions else "", "result": None,
                              "states": {}, **extra}
    return render.html(ui, "link.html", **values)


@router.get("/{token}")
def open_link(ui: UiDep, token: Token) -> Response:
    try:
        link = action_links.open_link(ui.svc, token=token)
    except LinkRefused as exc:
        return _refused(ui, exc.reason)
    _speak_as(ui, link)
    if link.reason != "ok":
        return _refused(ui, link.reason, link)
    return _page(ui, link, token)


@router.post("/{token}")
def decide(ui: PostDep, token: Token, decision: Annotated[str, Form(max_length=40)],
           comment: Annotated[str, Form(max_length=4000)] = "") -> Response:
    try:
        link = action_links.open_link(ui.svc, token=token)
        _speak_as(ui, link)
        result = action_links.decide(ui.svc, token=token, decision=decision, comment=comment.strip() or None)
    except LinkRefused as exc:
        return _refused(ui, exc.reason, locals().get("link"))
    view = definitions.get_definition(ui.svc, name=result.instance.workflow, version=result.instance.definition_version)
    states = {s.name: ui.fmt.title(s.title, s.name) for s in parsed(ui.svc, view).states}
    done = action_links.open_link(ui.svc, token=token)
    return _page(ui, done, token, result=result, states=states, decided=decision)
