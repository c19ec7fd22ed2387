"""Every error leaves as `application/problem+json` (RFC 9457); bad input never becomes a 500."""

from __future__ import annotations

import logging
import re
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import iter_route_contexts
from sqlalchemy.exc import DataError, IntegrityError
from starlette.exceptions import HTTPException
from starlette.routing import compile_path

from workflows.domain.errors import ChannelOpsError, InvalidInput, Problem

log = logging.getLogger(__name__)
MEDIA_TYPE = "application/problem+json"


def problem(status: int, title: str, detail: str, *, kind: str | None = None, errors: list[Problem] | None = None,
            headers: dict[str, str] | None = None) -> JSONResponse:
    body: dict[str, Any] = {
        "type": f"/problems/{kind or title.lower().replace(' ', '-')}",
        "title": title,
        "status": status,
        "detail": detail,
    }
    if errors is not None:
        body["errors"] = [{"path": e.path, "message": e.message, **({"line": e.line} if e.line else {})}
                          for e in errors]
    return JSONResponse(body, status_code=status, media_type=MEDIA_TYPE, headers=headers)


def _loc(loc: tuple[Any, ...]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


async def _channelops(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ChannelOpsError)
    headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
    retry_after = getattr(exc, "retry_after", None)
    if retry_after is not None:
        headers = {"Retry-After": str(retry_after)}
    errors = exc.problems if isinstance(exc, InvalidInput) else None
    return problem(exc.status, exc.title, exc.detail, errors=errors, headers=headers)


async def _validation(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [Problem(_loc(tuple(e.get("loc", ()))), str(e.get("msg", "invalid"))) for e in exc.errors()]
    return problem(422, "Invalid input", "the request is not valid", kind="invalid-input", errors=errors)


def _route_methods(app: FastAPI) -> list[tuple[re.Pattern[str], frozenset[str]]]:
    table: list[tuple[re.Pattern[str], frozenset[str]]] | None = getattr(app.state, "route_methods", None)
    if table is None:
        table = [(compile_path(context.path)[0], frozenset(getattr(context.original_route, "methods", None) or ()))
                 for context in iter_route_contexts(app.router.routes) if context.path]
        app.state.route_methods = table
    return table


def allowed_methods(request: Request) -> list[str]:
    """Every method some route serves at this request's path (Starlette's own 405 names only the
    methods of the first route that matched the path, although several routes may share it)."""
    path = request.scope["path"]
    methods: set[str] = set()
    for pattern, route_methods in _route_methods(request.app):
        if pattern.match(path):
            methods |= route_methods
    if "GET" in methods:
        methods.add("HEAD")
    return sorted(methods)


async def _http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    title = {404: "Not found", 405: "Method not allowed", 401: "Not authenticated",
             400: "Bad request", 413: "Content too large"}.get(exc.status_code, "Error")
    headers = dict(getattr(exc, "headers", None) or {})
    if exc.status_code == 405:
        headers["Allow"] = ", ".join(allowed_methods(request))
    return problem(exc.status_code, title, str(exc.detail), headers=headers or None)


async def _data(_: Request, exc: Exception) -> JSONResponse:
    log.info("database refused a value: %s", exc)
    return problem(422, "Invalid input", "a value cannot be stored (too long or not allowed)", kind="invalid-input")


async def _integrity(_: Request, exc: Exception) -> JSONResponse:
    log.info("integrity error: %s", exc)
    return problem(409, "Conflict", "the request conflicts with existing data")


async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
    log.exception("unexpected error", exc_info=exc)
    return problem(500, "Internal server error", "an unexpected error occurred; it has been logged")


def install(app: FastAPI) -> None:
    app.add_exception_handler(ChannelOpsError, _channelops)
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(HTTPException, _http)
    app.add_exception_handler(DataError, _data)
    app.add_exception_handler(IntegrityError, _integrity)
    app.add_exception_handler(Exception, _unexpected)
