from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from api.deps import ServicesDep

router = APIRouter(tags=["health"])


@router.get("/health", summary="Liveness and database reachability",
            responses={503: {"description": "the database does not answer"}})
def health(svc: ServicesDep) -> Any:
    try:
        with svc.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except SQLAlchemyError:
        return JSONResponse({"status": "unavailable", "database": "unreachable"}, status_code=503)
    return {"status": "ok", "database": "ok"}
