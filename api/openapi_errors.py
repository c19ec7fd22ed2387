"""The problem+json answers of every operation, written into the OpenAPI document.

Routes declare their success responses; the errors follow from what an operation takes, so they are
derived here once instead of being repeated on ~60 routes:

| status | declared on operations that ...                                   |
|--------|--------------------------------------------------------------------|
| 400    | take a body (a body the JSON parser refuses, e.g. nested too deep)  |
| 401    | need a caller (they carry a security requirement), and the login   |
| 403    | need a caller                                                      |
| 404    | name something: a path or query parameter, or a body               |
| 409    | change something (any method but GET)                              |
| 413    | take a body (the request size limits)                              |
| 422    | take a parameter or a body (replacing FastAPI's `HTTPValidationError`) |
| 429    | log in (login throttling), change one's password (the same)         |
| 503    | log in or set a password (the bounded queue of password checks is full) |
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from api.problems import MEDIA_TYPE

PROBLEM: dict[str, Any] = {
    "title": "Problem",
    "description": "An error (RFC 9457). `errors` lists each problem of an invalid input, at its path and line.",
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string", "examples": ["/problems/invalid-input"]},
        "title": {"type": "string", "examples": ["Invalid input"]},
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "detail": {"type": "string"},
        "errors": {"type": "array", "items": {
            "type": "object", "required": ["path", "message"],
            "properties": {"path": {"type": "string"}, "message": {"type": "string"},
                           "line": {"type": "integer"}}}},
    },
}

DESCRIPTIONS = {
    "400": "Bad request: the body cannot be read (e.g. JSON nested deeper than the parser allows)",
    "401": "Not authenticated: no valid token or session",
    "403": "Permission denied: the caller may not do this",
    "404": "Not found: what the request names does not exist",
    "409": "Conflict: the current state forbids this (a task already decided, a trigger not allowed now)",
    "413": "Request body too large",
    "422": "Invalid input: each problem at its path (and line)",
    "429": "Too many requests: wait for `Retry-After` seconds",
    "503": "Busy: too many logins are waiting for a password check; retry after `Retry-After` seconds",
}
LOGIN_PATH = "/api/v1/auth/token"
# Passwords hashed on the login threads: 503 when their queue is full; one's own change is throttled too.
PASSWORD_PATHS = {"/api/v1/users/me/password": {"429", "503"}, "/api/v1/users/{user_id}/password": {"503"}}


def statuses(*, path: str, method: str, operation: dict[str, Any]) -> list[str]:
    """The error statuses an operation can answer with (see the module's table)."""
    parameters = operation.get("parameters", [])
    body = "requestBody" in operation
    found: set[str] = set()
    if operation.get("security"):
        found |= {"401", "403"}
    if body or any(p.get("in") in ("path", "query") for p in parameters):
        found.add("404")
    if method != "get":
        found.add("409")
    if body:
        found |= {"400", "413"}
    if body or parameters:
        found.add("422")
    if path == LOGIN_PATH:
        found |= {"401", "429", "503"}
    found |= PASSWORD_PATHS.get(path, set())
    return sorted(found)


def _problem_response(status: str) -> dict[str, Any]:
    response: dict[str, Any] = {"description": DESCRIPTIONS[status],
                                "content": {MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}}
    if status in ("429", "503"):
        response["headers"] = {"Retry-After": {"description": "seconds to wait", "schema": {"type": "integer"}}}
    if status == "401":
        response["headers"] = {"WWW-Authenticate": {"schema": {"type": "string"}}}
    return response


def document(schema: dict[str, Any]) -> dict[str, Any]:
    """Add the Problem schema and every operation's problem responses to an OpenAPI document."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components["Problem"] = PROBLEM
    components.pop("HTTPValidationError", None)
    components.pop("ValidationError", None)
    for path, item in schema.get("paths", {}).items():
        for method, operation in item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            for status in statuses(path=path, method=method, operation=operation):
                operation["responses"][status] = _problem_response(status)
    return schema


def install(app: FastAPI) -> None:
    """Serve the document with the problem responses (built once, on first request)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = document(get_openapi(
                title=app.title, version=app.version, description=app.description, routes=app.routes,
                tags=app.openapi_tags))
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
