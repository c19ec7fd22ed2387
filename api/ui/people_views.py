"""Users for admins (list with filters, edit, reset a password) and everyone's profile (name,
language, password, log out everywhere). The same services as the JSON API."""

from __future__ import annotations

from functools import partial
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Form, Path, Query
from starlette.responses import Response

from api.login_pool import LoginPool
from api.ui import render
from api.ui.context import PostDep, Ui, UiDep
from workflows.domain.errors import InvalidInput, Problem
from workflows.domain.permissions import Action
from workflows.domain.principals import ROLES
from workflows.services import auth, groups, sessions, user_changes

router = APIRouter()
UserId = Annotated[int, Path(ge=1, le=2**31 - 1)]
Filter = Annotated[str, Query(max_length=60)]
Text = Annotated[str, Form(max_length=200)]
Names = Annotated[list[str], Form(max_length=100)]
ROLE_ORDER = ("admin", "committee", "reviewer", "lead", "channel_manager", "viewer")
assert set(ROLE_ORDER) == ROLES


def _group_choices(ui: Ui, *, keep: tuple[str, ...] | list[str] = ()) -> list[tuple[str, str]]:
    """(code, title) of the active groups and of `keep`, by title."""
    found = groups.all_groups(ui.svc)
    codes = {c for c, g in found.items() if g.active} | set(keep)
    return sorted(((c, groups.title_of(ui.svc, c, locale=ui.locale)) for c in codes), key=lambda p: p[1])


@router.get("/admin/users")
def users_page(ui: UiDep, group: Filter = "", role: Filter = "",
               active: Annotated[Literal["", "yes", "no"], Query()] = "yes", q: Filter = "") -> Response:
    actor = ui.allowed(Action.MANAGE_USERS)
    found = user_changes.find_users(ui.svc, actor=actor, group=group or None, role=role or None,
                                    active={"yes": True, "no": False}.get(active), q=q or None)
    return render.html(ui, "admin_users.html", users=found, query={"group": group, "role": role, "active": active,
                                                                  "q": q},
                       group_choices=_group_choices(ui), roles=ROLE_ORDER)


@router.get("/admin/users/{user_id}")
def user_page(ui: UiDep, user_id: UserId, saved: Annotated[str, Query(max_length=20)] = "") -> Response:
    actor = ui.allowed(Action.MANAGE_USERS)
    user = auth.get_user(ui.svc, actor=actor, user_id=user_id)
    return render.html(ui, "admin_user.html", user=user, group_choices=_group_choices(ui, keep=user.groups),
                       roles=ROLE_ORDER, saved=saved)


@router.post("/admin/users/{user_id}")
def save_user(ui: PostDep, user_id: UserId, display_name: Text = "", email: Annotated[str, Form(max_length=320)] = "",
              locale: Annotated[str, Form(max_length=5)] = "zh", groups: Names = [],  # noqa: B006
              roles: Names = [], active: Annotated[str, Form(max_length=5)] = "") -> Response:  # noqa: B006
    changes: dict[str, Any] = {"display_name": display_name, "email": email.strip() or None, "locale": locale,
                               "groups": groups, "roles": roles, "active": active == "on"}
    user_changes.update_user(ui.svc, actor=ui.user, user_id=user_id, changes=changes)
    return render.redirect(ui, f"/admin/users/{user_id}?saved=user")


@router.post("/admin/users/{user_id}/password")
async def reset_password(ui: PostDep, user_id: UserId, password: Text, again: Text) -> Response:
    """Hashed on the login threads (see `api.login_pool`), not on a request thread."""
    _same(ui, password, again)
    pool: LoginPool = ui.request.app.state.logins
    await pool.run(partial(sessions.reset_password, ui.svc, actor=ui.user, user_id=user_id, password=password))
    return render.redirect(ui, f"/admin/users/{user_id}?saved=password")


def _same(ui: Ui, password: str, again: str) -> None:
    if password != again:
        raise InvalidInput(ui.gettext("The two passwords differ."),
                           [Problem("again", ui.gettext("type the same password twice"))])


@router.get("/profile")
def profile(ui: UiDep, saved: Annotated[str, Query(max_length=20)] = "") -> Response:
    actor = ui.user
    assert actor.id is not None
    me = auth.get_user(ui.svc, actor=actor, user_id=actor.id)
    titles = [groups.title_of(ui.svc, g, locale=ui.locale) for g in me.groups]
    return render.html(ui, "profile.html", me=me, group_titles=titles, saved=saved)


@router.post("/profile")
def save_profile(ui: PostDep, display_name: Text, locale: Annotated[str, Form(max_length=5)]) -> Response:
    actor = ui.user
    assert actor.id is not None
    user_changes.update_user(ui.svc, actor=actor, user_id=actor.id,
                             changes={"display_name": display_name, "locale": locale})
    if locale in ("zh", "en"):
        ui.session = ui.session.with_locale(locale)
    return render.redirect(ui, "/profile?saved=profile")


@router.post("/profile/password")
async def change_password(ui: PostDep, old_password: Text, new_password: Text, again: Text) -> Response:
    """Every session of the user ends; this browser gets a new one at once. Checked on the login threads."""
    actor = ui.user
    _same(ui, new_password, again)
    address = ui.request.client.host if ui.request.client else "unknown"
    pool: LoginPool = ui.request.app.state.logins
    epoch = await pool.run(partial(sessions.change_own_password, ui.svc, actor=actor, old_password=old_password,
                                   new_password=new_password, address=address))
    assert actor.id is not None
    ui.session = ui.session.login(actor.id, epoch=epoch)
    return render.redirect(ui, "/profile?saved=password")

