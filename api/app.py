"""The FastAPI application: `create_app(settings, services)`; nothing is built at import."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio
from fastapi import FastAPI

from api import openapi_errors, problems, ui
from api.headers import SecurityHeaders
from api.limits import BodyLimits, LimitBodies
from api.login_pool import LoginPool
from api.routes import (
    audit,
    auth,
    calendar,
    channels,
    exports,
    health,
    instances,
    kpis,
    reports,
    rules,
    tasks,
    users,
    workflows,
)
from api.routes import delegations as delegation_routes
from api.routes import groups as group_routes
from api.routes import meetings as meeting_routes
from api.routes import migrations as migration_routes
from api.routes import notifications as notification_routes
from api.security import AccessTokens
from channelops.settings import Settings
from workflows.services.calendar_entries import CHECK_EVERY, refresh_calendar_if_changed
from workflows.services.context import Services

log = logging.getLogger(__name__)

API_PREFIX = "/api/v1"
DESCRIPTION = """\
channelops runs the follow-up management of sales channels as workflows: onboarding approvals,
complaints against SLAs, yellow and red cards, lifecycle moves.

Log in with `POST /api/v1/auth/token` (form fields `username`, `password`), then send
`Authorization: Bearer <access_token>`. Errors are `application/problem+json` (RFC 9457).
"""

# The order the API's sections are listed in /docs: logging in first, then as a newcomer meets them.
DOC_TAGS = ("auth", "workflows", "instances", "tasks", "users", "groups", "delegations", "reports", "calendar",
            "channels", "kpis", "rules", "meetings", "exports", "notifications", "audit", "health")


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    # Far fewer worker threads than anyio's default 40: threads queueing for the database's
    # write lock and for the GIL stretch every request (see `Settings.api_threads`).
    anyio.to_thread.current_default_thread_limiter().total_tokens = app.state.settings.api_threads()
    async with anyio.create_task_group() as group:
        group.start_soon(_follow_calendar, app.state.services)
        yield
        group.cancel_scope.cancel()
    app.state.logins.close()


async def _follow_calendar(services: Services) -> None:
    """Pick up company calendar entries changed by another process (see `refresh_calendar_if_changed`)."""
    while True:
        await anyio.sleep(CHECK_EVERY)
        try:
            await anyio.to_thread.run_sync(refresh_calendar_if_changed, services)
        except Exception:  # the database may be away for a moment; the next look will do
            log.warning("could not look at the company calendar entries", exc_info=True)


def create_app(settings: Settings, services: Services) -> FastAPI:
    app = FastAPI(title="channelops", version="1.0", description=DESCRIPTION, docs_url="/docs",
                  openapi_url="/openapi.json", openapi_tags=[{"name": tag} for tag in DOC_TAGS], lifespan=_lifespan)
    app.state.settings = settings
    app.state.services = services
    app.state.logins = LoginPool(workers=settings.login_threads, queue=settings.login_queue)
    app.add_middleware(SecurityHeaders)
    app.state.access_tokens = AccessTokens(settings.secret_key)
    if not services.link_secret:  # decision links are verified (and issued) with the app's secret
        services.link_secret = settings.secret_key
    problems.install(app)
    app.add_middleware(LimitBodies, limits=BodyLimits(body=settings.max_body_bytes, yaml=settings.max_yaml_bytes,
                                                      upload=settings.max_upload_bytes))
    openapi_errors.install(app)
    app.include_router(health.router, include_in_schema=False)
    app.include_router(health.router, prefix=API_PREFIX)
    # The busiest routers first: FastAPI matches a request against the routes in order, and each
    # route passed costs a regular-expression match (a task completion behind 20 other routes cost
    # 4% more instructions). The prefixes do not overlap, so the order changes nothing else; the
    # OpenAPI document keeps its own order of tags (`DOC_TAGS`).
    for module in (tasks, instances, auth, workflows, users, reports, calendar, channels, kpis, rules):
        app.include_router(module.router, prefix=API_PREFIX)
    app.include_router(meeting_routes.router, prefix=API_PREFIX)
    app.include_router(exports.router, prefix=API_PREFIX)
    app.include_router(delegation_routes.router, prefix=API_PREFIX)
    app.include_router(migration_routes.router, prefix=API_PREFIX)
    app.include_router(notification_routes.router, prefix=API_PREFIX)
    app.include_router(audit.router, prefix=API_PREFIX)
    app.include_router(group_routes.router, prefix=API_PREFIX)
    ui.install(app)
    return app
