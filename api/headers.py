"""Security headers on every response, as plain ASGI middleware (no per-request objects).

UI pages get a Content-Security-Policy that allows scripts only from this site (every script is
a file under /static or /vendor: no inline script, no `on*=` attribute, no eval). Styles allow
'unsafe-inline': mermaid writes a <style> element into each diagram's SVG, and Chart.js and
htmx set element styles; style injection cannot run code, so this is the one allowance.
API answers are data: they may load nothing. /docs and /redoc (Swagger UI and ReDoc load
their scripts from a CDN and start them inline) get every header but the CSP.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

UI_CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
          "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
          "frame-ancestors 'none'")
API_CSP = "default-src 'none'; frame-ancestors 'none'"
COMMON = [(b"x-frame-options", b"DENY"), (b"x-content-type-options", b"nosniff"),
          (b"referrer-policy", b"same-origin")]
UI_HEADERS = [*COMMON, (b"content-security-policy", UI_CSP.encode())]
API_HEADERS = [*COMMON, (b"content-security-policy", API_CSP.encode())]
DOCS = ("/docs", "/redoc")


def headers_for(path: str) -> list[tuple[bytes, bytes]]:
    if path.startswith(DOCS):
        return COMMON
    if path.startswith(("/api/", "/health", "/openapi.json")):
        return API_HEADERS
    return UI_HEADERS


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = headers_for(scope["path"])

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, send_with_headers)
