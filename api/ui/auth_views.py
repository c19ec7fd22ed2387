"""Log in, log out, choose the language."""

from __future__ import annotations

from functools import partial
from typing import Annotated

from fastapi import APIRouter, Form
from starlette.responses import Response

from api.login_pool import LoginPool
from api.ui import i18n, render
from api.ui.context import PostDep, Ui, UiDep
from workflows.domain.errors import Busy, TooManyRequests, Unauthenticated
from workflows.services import logins, sessions, users

router = APIRouter()
Text = Annotated[str, Form(max_length=200)]


@router.get("/")
def home(ui: UiDep) -> Response:
    return render.redirect(ui, "/inbox" if ui.actor else "/login")


@router.get("/login")
def login_page(ui: UiDep, next: str = "/") -> Response:
    if ui.actor is not None:
        return render.redirect(ui, render.safe_next(next))
    return render.html(ui, "login.html", next=render.safe_next(next), failed=None, login="")


def _refused(ui: Ui, *, status: int, message: str, username: str, next: str,
             retry_after: int | None = None) -> Response:
    headers = {"Retry-After": str(retry_after)} if retry_after is not None else None
    return render.html(ui, "login.html", status=status, headers=headers, next=render.safe_next(next),
                       failed=message, login=username)


@router.post("/login")
async def login(ui: PostDep, username: Text, password: Text,
                next: Annotated[str, Form(max_length=500)] = "/") -> Response:
    """The password is checked on the login threads (see `api.login_pool`), not on a request thread."""
    pool: LoginPool = ui.request.app.state.logins
    address = ui.request.client.host if ui.request.client else "unknown"
    try:
        actor = await pool.run(partial(logins.log_in, ui.svc, login=username, password=password, address=address))
    except Unauthenticated:
        # The same answer whether or not the login exists.
        return _refused(ui, status=401, message=ui.gettext("Wrong login or password."), username=username,
                        next=next)
    except TooManyRequests as exc:
        minutes = max(1, -(-exc.retry_after // 60))
        return _refused(ui, status=429, retry_after=exc.retry_after, username=username, next=next,
                        message=ui.gettext("Too many failed logins. Try again in %(minutes)s minutes.",
                                           minutes=minutes))
    except Busy as exc:
        return _refused(ui, status=503, retry_after=exc.retry_after, username=username, next=next,
                        message=ui.gettext("Too many people are logging in right now. Try again in a moment."))
    assert actor.id is not None
    ui.session = ui.session.login(actor.id, epoch=actor.session_epoch)
    return render.redirect(ui, render.safe_next(next))


@router.post("/logout")
def logout(ui: PostDep) -> Response:
    """Ends every session of the user: this browser's, copies of its cookie, other browsers' and
    the user's access tokens (one session epoch per user)."""
    if ui.actor is not None and ui.actor.id is not None:
        sessions.end_sessions(ui.svc, actor=ui.actor, user_id=ui.actor.id)
    ui.session = ui.session.logout()
    return render.redirect(ui, "/login")


@router.post("/language")
def language(ui: PostDep, locale: Annotated[str, Form(max_length=5)],
             next: Annotated[str, Form(max_length=500)] = "/") -> Response:
    chosen = i18n.pick(locale, default=ui.locale)
    if ui.actor is not None:
        users.set_locale(ui.svc, actor=ui.actor, locale=chosen)
    ui.session = ui.session.with_locale(chosen)
    return render.redirect(ui, render.safe_next(next))
