"""Request bodies are bounded before they are read: a pure ASGI middleware wrapping `receive`.

Each route gets a limit by its path (`limit_for`). A body announced larger (Content-Length) is
refused at the first read, before a byte of it is taken off the socket; a chunked body is
counted as it streams and refused as soon as it passes the limit. The refusal is an
`HTTPException(413)` raised inside the route, so it answers like any other error: a
problem+json under /api/, an error page in the user's language elsewhere. A route that never
reads its body never meets the limit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

YAML_PATHS = ("/api/v1/workflows", "/api/v1/workflows/validate")
YAML_FORMS = ("/admin/workflows/check", "/admin/workflows/publish")
UPLOAD_PATHS = ("/api/v1/kpis/import", "/channels/kpis/import")
FORM_OVERHEAD = 16 * 1024  # the CSRF token and field names around a form's one big field


@dataclass(frozen=True)
class BodyLimits:
    body: int
    yaml: int
    upload: int

    def limit_for(self, path: str) -> int:
        """The most bytes a body posted to `path` may have."""
        path = path.rstrip("/") or "/"
        if path in YAML_PATHS:
            return self.yaml
        if path in YAML_FORMS:  # url-encoded: a byte of text can take three (%E4)
            return 3 * self.yaml + FORM_OVERHEAD
        if path in UPLOAD_PATHS:
            return self.upload + FORM_OVERHEAD
        return self.body


class BodyTooLarge(HTTPException):
    """A body over its limit (`limit` bytes): 413."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the request body is larger than {limit} bytes, the most this address takes")
        self.limit = limit


class LimitBodies:
    """The ASGI middleware: `app = LimitBodies(app, limits=...)`."""

    def __init__(self, app: ASGIApp, *, limits: BodyLimits) -> None:
        self.app = app
        self.limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limits.limit_for(scope["path"])
        started = False

        async def watched_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        bounded = _bounded(receive, limit=limit, announced=_content_length(scope), answering=lambda: started)
        await self.app(scope, bounded, watched_send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


def _bounded(receive: Receive, *, limit: int, announced: int | None, answering: Callable[[], bool]) -> Receive:
    """`receive`, refusing a body over `limit`; once the answer has begun (a streamed response
    listening for the client to go away), it only passes messages on."""
    seen = 0

    async def bounded_receive() -> Message:
        nonlocal seen
        if answering():
            return await receive()
        if announced is not None and announced > limit:
            raise BodyTooLarge(limit)
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                raise BodyTooLarge(limit)
        return message

    return bounded_receive
