"""`serve` and `demo`: the API process, started by uvicorn from an app factory."""

from __future__ import annotations

import gc

from fastapi import FastAPI

from api.app import create_app
from channelops.bootstrap import build_services
from channelops.settings import get_settings


def app_factory() -> FastAPI:
    """Builds the app from CHANNELOPS_* settings (used by uvicorn, also with several workers)."""
    settings = get_settings().with_local_secret()
    settings.refuse_placeholder_secret()
    app = create_app(settings, build_services(settings))
    # What the served process built to start (modules, routes, schemas, the services) lives as long as
    # it does: frozen out of the collector's reach, a full collection no longer walks it during some
    # request (150 ms before, 24 ms after, in bench/api.py). Only here: tests build many apps per process.
    gc.collect()
    gc.freeze()
    return app
