"""The web UI: server-rendered pages (Jinja2, gettext) with htmx, mounted on the API's app.

Pages call the same service functions as the JSON API and stay out of the OpenAPI document.
The front-end libraries come from `node_modules/` (`npm ci`, pinned in `package-lock.json`).
"""

from __future__ import annotations

import logging
from pathlib import Path

from fastapi import FastAPI
from starlette.staticfiles import StaticFiles

from api.ui import (
    absence_views,
    audit_views,
    auth_views,
    calendar_views,
    channel_forms,
    channel_views,
    dashboard_views,
    editor_views,
    errors,
    export_views,
    follow_up_views,
    group_views,
    inbox_views,
    instance_views,
    link_views,
    meeting_forms,
    meeting_views,
    migration_views,
    notification_views,
    people_views,
    report_views,
    workflow_views,
)

log = logging.getLogger(__name__)
STATIC = Path(__file__).resolve().parent.parent / "static"
NODE_MODULES = Path(__file__).resolve().parents[2] / "node_modules"
VENDOR = {"htmx": "htmx.org/dist", "mermaid": "mermaid/dist", "chartjs": "chart.js/dist"}


def install(app: FastAPI) -> None:
    """Mount the pages, our own static files and the vendored libraries; HTML error pages."""
    errors.install(app)
    # the create/edit forms first: /channels/new and /meetings/new before /channels/{id} and /meetings/{id}
    for module in (channel_forms, meeting_forms, calendar_views):
        app.include_router(module.router, include_in_schema=False)
    for module in (auth_views, inbox_views, instance_views, workflow_views, editor_views, dashboard_views,
                   channel_views, meeting_views, report_views, export_views, absence_views, migration_views,
                   notification_views):
        app.include_router(module.router, include_in_schema=False)
    app.include_router(audit_views.router, include_in_schema=False)
    app.include_router(follow_up_views.router, include_in_schema=False)
    for module in (people_views, group_views):
        app.include_router(module.router, include_in_schema=False)
    app.include_router(link_views.router, include_in_schema=False)  # decision links from notifications
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    for name, folder in VENDOR.items():
        directory = NODE_MODULES / folder
        if not directory.is_dir():
            log.warning("%s is missing: run `npm ci` (make install); pages will work without scripts", directory)
        app.mount(f"/vendor/{name}", StaticFiles(directory=directory, check_dir=False), name=f"vendor-{name}")
