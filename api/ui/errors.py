"""Errors on UI pages: an HTML page or, for htmx, a message in the page's message area.

The JSON API keeps its `application/problem+json` answers: these handlers wrap the API's and
hand every request under `/api/` (and `/health`) back to them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.responses import Response

from api.limits import BodyTooLarge
from api.ui import context, render
from workflows.domain.errors import ChannelOpsError, Conflict, InvalidInput, PermissionDenied, Problem

Handler = Callable[[Request, Exception], Awaitable[Response]]
NOT_UI = ("/api/", "/health", "/docs", "/openapi.json", "/redoc")


def is_ui(request: Request) -> bool:
    return not request.url.path.startswith(NOT_UI)


def _heading(ui: context.Ui, exc: Exception, status: int) -> str:
    if status == 404:
        return ui.gettext("Not found.")
    if isinstance(exc, context.CsrfRefused):
        return ui.gettext("The form has expired. Reload the page and try again.")
    if status == 413:
        return ui.gettext("What you sent is too large.")
    if isinstance(exc, InvalidInput) or status == 422:
        return ui.gettext("Please correct the input.")
    if isinstance(exc, PermissionDenied):
        return ui.gettext("You may not do this.")
    if isinstance(exc, Conflict):
        return ui.gettext("This cannot be done now: someone may have acted first. Reload the page.")
    return ui.gettext("The request could not be carried out.")


def page_for(request: Request, exc: Exception, status: int, detail: str, problems: list[Problem]) -> Response:
    ui = context.build(request)
    if status == 401 and not render.is_htmx(ui):
        return render.redirect(ui, "/login?next=" + quote(request.url.path, safe="/"))
    if status == 401:
        return render.redirect(ui, "/login")
    heading = _heading(ui, exc, status)
    detail = ui.names.message(detail)
    if isinstance(exc, BodyTooLarge):
        size = f"{exc.limit / 2**20:.0f} MB" if exc.limit >= 2**20 else f"{exc.limit // 1024} KB"
        detail = ui.gettext("At most %(size)s can be sent here.", size=size)
    if render.is_htmx(ui):
        return render.html(ui, "_message.html", status=status, kind="error", text=heading, detail=detail,
                           problems=problems, headers={"HX-Retarget": "#messages", "HX-Reswap": "innerHTML"})
    return render.html(ui, "error.html", status=status, heading=heading, detail=detail, problems=problems)


def _wrap(previous: Handler | None, status_of: Callable[[Exception], tuple[int, str, list[Problem]]]) -> Handler:
    async def handle(request: Request, exc: Exception) -> Response:
        if not is_ui(request) and previous is not None:
            return await previous(request, exc)
        status, detail, problems = status_of(exc)
        return page_for(request, exc, status, detail, problems)

    return handle


def _domain(exc: Exception) -> tuple[int, str, list[Problem]]:
    assert isinstance(exc, ChannelOpsError)
    return exc.status, exc.detail, exc.problems if isinstance(exc, InvalidInput) else []


def _validation(exc: Exception) -> tuple[int, str, list[Problem]]:
    assert isinstance(exc, RequestValidationError)
    problems = [Problem(".".join(str(p) for p in e.get("loc", ())[1:]), str(e.get("msg", ""))) for e in exc.errors()]
    return 422, "the form is not valid", problems


def _http(exc: Exception) -> tuple[int, str, list[Problem]]:
    assert isinstance(exc, HTTPException)
    return exc.status_code, str(exc.detail), []


def install(app: FastAPI) -> None:
    """Put the UI's handlers in front of the API's (call after `api.problems.install`)."""
    handlers = app.exception_handlers
    for kind, status_of in ((ChannelOpsError, _domain), (RequestValidationError, _validation), (HTTPException, _http)):
        app.add_exception_handler(kind, _wrap(handlers.get(kind), status_of))  # type: ignore[arg-type]
