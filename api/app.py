"""The FastAPI application: `create_app(settings, services)`; nothing is built at import."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio
from fastapi import FastAPI

from api import problems
from api.routes import auth, calendar, health, instances, reports, tasks, users, workflows
from channelops.settings import Settings
from workflows.services.context import Services

API_PREFIX = "/api/v1"
DESCRIPTION = """\
channelops runs the follow-up management of sales channels as workflows: onboarding approvals,
complaints against SLAs, yellow and red cards, lifecycle moves.

Log in with `POST /api/v1/auth/token` (form fields `username`, `password`), then send
`Authorization: Bearer <access_token>`. Errors are `application/problem+json` (RFC 9457).
"""


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    # Fewer worker threads than anyio's default 40: the database serialises writes anyway, and
    # dozens of threads fighting for the GIL stretch every request that holds the write lock.
    anyio.to_thread.current_default_thread_limiter().total_tokens = app.state.settings.threads
    yield


def create_app(settings: Settings, services: Services) -> FastAPI:
    app = FastAPI(title="channelops", version="1.0", description=DESCRIPTION, docs_url="/docs",
                  openapi_url="/openapi.json", lifespan=_lifespan)
    app.state.settings = settings
    app.state.services = services
    problems.install(app)
    app.include_router(health.router, include_in_schema=False)
    app.include_router(health.router, prefix=API_PREFIX)
    for module in (auth, workflows, instances, tasks, users, reports, calendar):
        app.include_router(module.router, prefix=API_PREFIX)
    return app
