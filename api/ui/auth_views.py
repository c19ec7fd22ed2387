"""Log in, log out, choose the language."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form
from starlette.responses import Response

from api.ui import i18n, render
from api.ui.context import PostDep, UiDep
from workflows.domain.errors import Unauthenticated
from workflows.services import auth, users

router = APIRouter()
Text = Annotated[str, Form(max_length=200)]


@router.get("/")
def home(ui: UiDep) -> Response:
    return render.redirect(ui, "/inbox" if ui.actor else "/login")


@router.get("/login")
def login_page(ui: UiDep, next: str = "/") -> Response:
    if ui.actor is not None:
        return render.redirect(ui, render.safe_next(next))
    return render.html(ui, "login.html", next=render.safe_next(next), failed=False, login="")


@router.post("/login")
def login(ui: PostDep, username: Text, password: Text, next: Annotated[str, Form(max_length=500)] = "/") -> Response:
    try:
        actor = auth.authenticate(ui.svc, login=username.strip(), password=password)
    except Unauthenticated:
        # The same answer whether or not the login exists.
        return render.html(ui, "login.html", status=401, next=render.safe_next(next), failed=True, login=username)
    assert actor.id is not None
    ui.session = ui.session.login(actor.id)
    return render.redirect(ui, render.safe_next(next))


@router.post("/logout")
def logout(ui: PostDep) -> Response:
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
