"""JSON answers serialised where the view is made, for the busiest `def` routes.

FastAPI runs a `def` endpoint in a worker thread and then validates the value it returns
against the route's `response_model` in a second worker-thread call; each crossing between
the event loop and a thread costs a GIL hand-over, and on SQLite the second waits behind the
next request's database work (one request thread). A route that returns a `Response` skips
that step, so these routes serialise their view in the thread they already run in. The route
keeps its `response_model`, which still describes the answer in the OpenAPI document.
"""

from __future__ import annotations

from fastapi import Response
from pydantic import BaseModel


def json_view(view: BaseModel, *, status_code: int = 200, headers: dict[str, str] | None = None) -> Response:
    """`view` as the JSON body FastAPI would have sent for it (`response_model` = its own class)."""
    return Response(view.model_dump_json(by_alias=True), status_code=status_code, headers=headers,
                    media_type="application/json")
