"""`serve` and `demo`: the API process, started by uvicorn from an app factory."""

from __future__ import annotations

from fastapi import FastAPI

from api.app import create_app
from channelops.bootstrap import build_services
from channelops.settings import get_settings


def app_factory() -> FastAPI:
    """Builds the app from CHANNELOPS_* settings (used by uvicorn, also with several workers)."""
    settings = get_settings().with_local_secret()
    settings.refuse_placeholder_secret()
    return create_app(settings, build_services(settings))
